/**
 * The OCI layout `docker save` writes, read for a push by digest: the one platform manifest of the run's image,
 * and, for the classic store (uncompressed layer tars), the manifest of the same image with gzip layers. Pure.
 */
import type { ImageConfig } from '../../oci/config.js';
import { normalPlatformName, platformName, type Descriptor, type Index, type Manifest } from '../../oci/manifest.js';
import { isAttestation, isIndex, MEDIA } from '../../oci/media.js';


export interface LayoutManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  manifest: Manifest;
}

/** `blobs/sha256/<hex>` of a digest, relative to the layout. Throws on anything but a sha256 digest. */
export function blobPath(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`"${digest}" is not a sha256 digest`);
  return `blobs/sha256/${m[1]}`;
}

/**
 * The single platform manifest the layout's index.json leads to: directly, or through an image index whose
 * other entries are attestations. `read` gives a blob's bytes by digest. Throws when there is not exactly one.
 */
export function layoutManifest(indexJson: Buffer, read: (digest: string) => Buffer): LayoutManifest {
  let entries = (JSON.parse(indexJson.toString()) as Index).manifests ?? [];
  for (let depth = 0; depth < 4; depth++) {
    const images = entries.filter((d) => !isAttestation(d));
    if (images.length !== 1) {
      const names = images.map((d) => (d.platform ? platformName(d.platform) : d.digest));
      throw new Error(`the saved image has ${images.length} platform manifests (${names.join(', ') || 'none'}); a push-by-digest leg pushes exactly one: set \`platforms\` to the leg's platform`);
    }
    const d = images[0];
    const bytes = read(d.digest);
    const doc = JSON.parse(bytes.toString()) as Manifest & Index & { mediaType?: string };
    const mediaType = doc.mediaType ?? d.mediaType;
    if (!isIndex(mediaType) && !doc.manifests) return { digest: d.digest, mediaType, bytes, manifest: doc };
    entries = doc.manifests;
  }
  throw new Error('the saved image nests image indexes too deeply');
}

/** A layer as it goes to the registry: the gzip blob, the compressed one a registry already has, or as saved. */
export interface PushLayer {
  descriptor: Descriptor;
  /** The saved layer's diff_id (its uncompressed digest). */
  diffId: string;
}

/**
 * The manifest with its layers replaced (same config, same order): an OCI manifest whose layers are gzip tars.
 * Other fields (annotations) are kept. Pure.
 */
export function rewriteManifest(manifest: Manifest, layers: readonly Pick<Descriptor, 'digest' | 'size'>[]): { bytes: Buffer; mediaType: string } {
  if (layers.length !== manifest.layers.length) throw new Error(`${layers.length} layers given for a manifest of ${manifest.layers.length}`);
  const out: Manifest = {
    ...manifest,
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { ...manifest.config, mediaType: manifest.config.mediaType === MEDIA.dockerConfig ? MEDIA.ociConfig : manifest.config.mediaType },
    // annotations stay; urls (foreign layers) would point at other bytes than the new blob
    layers: layers.map((l, i) => ({ mediaType: MEDIA.ociLayer, digest: l.digest, size: l.size, ...(manifest.layers[i].annotations ? { annotations: manifest.layers[i].annotations } : {}) })),
  };
  return { bytes: Buffer.from(JSON.stringify(out)), mediaType: MEDIA.ociManifest };
}

/** "os/arch[/variant]" an image config names, normalised (linux/arm64, not linux/arm64/v8). Pure. */
export function configPlatform(config: Pick<ImageConfig, 'os' | 'architecture' | 'variant'>): string {
  return normalPlatformName({ os: config.os, architecture: config.architecture, variant: config.variant });
}
