/** What a registry holds under a leg's digest: the manifest and the small config blob, never a layer. */
import type { ImageConfig } from '../oci/config.js';
import { RegistryError, type RegistryClient } from '../registry/client.js';
import type { Descriptor, Index, Manifest, Platform } from '../oci/manifest.js';
import { isAttestation, isIndex } from '../oci/media.js';
import type { LegFound } from './plan.js';
import { REVISION } from './plan.js';

/** The two reads a leg needs, by digest; `manifest` gives undefined when the registry has no such manifest. */
export interface LegReader {
  manifest(digest: string): Promise<{ mediaType: string; bytes: Buffer } | undefined>;
  config(manifestDigest: string, config: Descriptor): Promise<ImageConfig>;
}

function platformOf(config: ImageConfig, fallback?: Platform): Platform {
  if (!config.os || !config.architecture) return fallback ?? { os: config.os ?? '', architecture: config.architecture ?? '' };
  return { ...(fallback ?? {}), os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
}

/** Reads one leg: its manifest, and the config of its one image (an index leg's single image entry). */
export async function readLeg(reader: LegReader, digest: string): Promise<LegFound | undefined> {
  const top = await reader.manifest(digest);
  if (!top) return undefined;
  if (isIndex(top.mediaType)) {
    const children = (JSON.parse(top.bytes.toString('utf8')) as Index).manifests ?? [];
    const images = children.filter((d) => !isAttestation(d));
    if (images.length !== 1) return { mediaType: top.mediaType, size: top.bytes.length, platforms: images.map((d) => d.platform ?? { os: '?', architecture: '?' }), children };
    const child = await reader.manifest(images[0].digest);
    if (!child) throw new Error(`the index ${digest} lists ${images[0].digest}, which the registry does not have`);
    const config = await reader.config(images[0].digest, (JSON.parse(child.bytes.toString('utf8')) as Manifest).config);
    return { mediaType: top.mediaType, size: top.bytes.length, platforms: [platformOf(config, images[0].platform)], revision: config.config?.Labels?.[REVISION], children };
  }
  const config = await reader.config(digest, (JSON.parse(top.bytes.toString('utf8')) as Manifest).config);
  return { mediaType: top.mediaType, size: top.bytes.length, platforms: [platformOf(config)], revision: config.config?.Labels?.[REVISION] };
}

/** The reads through our registry client; a 404 is "no such manifest". */
export function clientReader(c: RegistryClient, repo: string): LegReader {
  return {
    async manifest(digest) {
      try {
        return await c.getManifest(repo, digest);
      } catch (e) {
        if (e instanceof RegistryError && e.status === 404) return undefined;
        throw e;
      }
    },
    async config(_manifest, config) {
      return JSON.parse((await c.getBlob(repo, config.digest, config.size)).toString('utf8')) as ImageConfig;
    },
  };
}
