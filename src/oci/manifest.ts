import { imageEntries, MEDIA } from './media.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  [key: string]: unknown;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type Flavor = 'oci' | 'docker';

/** Docker-typed or OCI: the image follows its base's format. Pure. */
export function flavorOf(mediaType: string): Flavor {
  return mediaType.startsWith('application/vnd.docker.') ? 'docker' : 'oci';
}

/** Media type of a new layer in an image of this flavor. Pure. */
export function layerMediaType(flavor: Flavor): string {
  return flavor === 'docker' ? MEDIA.dockerLayer : MEDIA.ociLayer;
}

/** Annotations only where the format has them: OCI manifests and indexes (Docker's schema 2 defines none). Pure. */
function withAnnotations<T extends object>(value: T, flavor: Flavor, annotations: Record<string, string> | undefined): T {
  return flavor === 'oci' && annotations && Object.keys(annotations).length ? { ...value, annotations: { ...annotations } } : value;
}

/** The child manifest: the base's layers verbatim (never downloaded), then the build's, with the new config. Pure. */
export function childManifest(base: Manifest, flavor: Flavor, config: { digest: string; size: number }, layers: readonly { digest: string; size: number }[], annotations?: Record<string, string>): Manifest {
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: flavor === 'docker' ? MEDIA.dockerManifest : MEDIA.ociManifest,
    config: { mediaType: flavor === 'docker' ? MEDIA.dockerConfig : MEDIA.ociConfig, digest: config.digest, size: config.size },
    layers: [...base.layers, ...layers.map((l) => ({ mediaType: layerMediaType(flavor), digest: l.digest, size: l.size }))],
  };
  return withAnnotations(manifest, flavor, annotations);
}

/** An index of the per-platform manifests, each with the platform object copied from the base. Pure. */
export function childIndex(flavor: Flavor, entries: readonly { digest: string; size: number; platform: Platform }[], annotations?: Record<string, string>): Index {
  const index: Index = {
    schemaVersion: 2,
    mediaType: flavor === 'docker' ? MEDIA.dockerList : MEDIA.ociIndex,
    manifests: entries.map((e) => ({ mediaType: flavor === 'docker' ? MEDIA.dockerManifest : MEDIA.ociManifest, digest: e.digest, size: e.size, platform: e.platform })),
  };
  return withAnnotations(index, flavor, annotations);
}

/** The platform as containerd normalises it: arm64/v8 and amd64/v1 are the default variants, so they are dropped. Pure. */
export function normalPlatformName(p: Platform): string {
  const variant = (p.architecture === 'arm64' && p.variant === 'v8') || (p.architecture === 'amd64' && p.variant === 'v1') ? undefined : p.variant;
  return platformName({ ...p, variant });
}

/** "os/arch[/variant]" of a platform. Pure. */
export function platformName(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * The base's entry for each requested platform. A platform without a variant matches the base's entry of that
 * os/arch (arm64 is arm64/v8 in some indexes). Throws, listing what the base has, when one is missing. Pure.
 */
export function pickPlatforms(base: Index, wanted: readonly string[]): Descriptor[] {
  const have = imageEntries(base.manifests);
  return wanted.map((w) => {
    const [os, arch, variant] = w.split('/');
    const hit = have.find((d) => d.platform.os === os && d.platform.architecture === arch && (!variant || d.platform.variant === variant));
    if (!hit) throw new Error(`the base image has no ${w} platform; it has ${have.map((d) => platformName(d.platform)).join(', ') || 'none'}`);
    return hit;
  });
}

export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
