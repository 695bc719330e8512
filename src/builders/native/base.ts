import type { ImageConfig } from '../../oci/config.js';
import { flavorOf, pickPlatforms, platformName, type Flavor, type Index, type Manifest, type Platform } from '../../oci/manifest.js';
import { imageEntries, isIndex } from '../../oci/media.js';
import type { RegistryClient } from '../../registry/client.js';
import { parseImageName } from '../../oci/name.js';

/** A base reference split as the registry needs it. Pure. */
export function parseBaseRef(ref: string): { registry: string; repository: string; reference: string; name: string } {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const bare = at >= 0 ? ref.slice(0, at) : ref;
  const m = /^(.*?)(?::([^:/]+))?$/.exec(bare)!;
  const img = parseImageName(m[1], 'file');
  return { registry: img.registry, repository: img.repository, reference: digest ?? m[2] ?? 'latest', name: img.name };
}

/** One platform of the base: its manifest and config as the registry serves them (digests verified). */
export interface BasePlatform {
  platform: Platform;
  /** This platform's manifest digest. */
  digest: string;
  manifest: Manifest;
  config: ImageConfig;
}

export interface BaseImage {
  repository: string;
  /** The digest the reference resolved to: the index's, or the one manifest's. */
  digest: string;
  flavor: Flavor;
  platforms: BasePlatform[];
  /** The base is an index of more than one platform (attestations aside). */
  multiPlatform?: boolean;
}

function platformOfConfig(c: ImageConfig): Platform {
  return { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) };
}

/**
 * Reads the base's manifest(s) and config(s), never its layers. `wanted` are "os/arch[/variant]" names; empty
 * means the one platform of a single-platform base, or `runner` (the runner's platform) of an index.
 */
export async function readBase(client: RegistryClient, repository: string, reference: string, wanted: readonly string[], runner: string): Promise<BaseImage> {
  const top = await client.getManifest(repository, reference);
  const flavor = flavorOf(top.mediaType);
  const one = async (m: { bytes: Buffer; digest: string }, platform?: Platform): Promise<BasePlatform> => {
    const manifest = JSON.parse(m.bytes.toString()) as Manifest;
    const config = JSON.parse((await client.getBlob(repository, manifest.config.digest)).toString()) as ImageConfig;
    return { platform: platform ?? platformOfConfig(config), digest: m.digest, manifest, config };
  };
  if (!isIndex(top.mediaType)) {
    const p = await one(top);
    const have = platformName(p.platform);
    const other = wanted.find((w) => w !== have && !have.startsWith(`${w}/`));
    if (other) throw new Error(`the base image has no ${other} platform; it has ${have}`);
    return { repository, digest: top.digest, flavor, platforms: [p] };
  }
  const index = JSON.parse(top.bytes.toString()) as Index;
  const picked = pickPlatforms(index, wanted.length ? wanted : [runner]);
  const platforms: BasePlatform[] = [];
  for (const d of picked) {
    const m = await client.getManifest(repository, d.digest);
    platforms.push(await one(m, d.platform));
  }
  return { repository, digest: top.digest, flavor, platforms, multiPlatform: imageEntries(index.manifests).length > 1 };
}
