import { childConfig, configBytes, type ImageConfig } from '../../oci/config.js';
import { gzipFixed } from '../../oci/gzip.js';
import { childIndex, childManifest, jsonBytes, type Flavor, type Manifest } from '../../oci/manifest.js';
import { MEDIA } from '../../oci/media.js';
import { sha256, writeTar, type LayerEntry } from '../../oci/tar.js';
import type { BaseImage } from './base.js';
import { baseAnnotations, type ResolvedBase } from '../base.js';
import type { BuildPlan } from './plan.js';

/** One of the build's layers: its tar and the tar's digest (diff_id). */
export interface AppLayer {
  diffId: string;
  tar: Buffer;
}

/** A layer the image record names: its diff_id and its blob as made before, no tar. */
export interface MadeLayer {
  diffId: string;
  made: { digest: string; size: number };
}

export type RunLayer = AppLayer | MadeLayer;

export interface Blob {
  digest: string;
  size: number;
  /** The bytes: this run's own gzip of the layer (or a blob it verified to hold that layer). */
  data?: Buffer;
}

/** Each planned layer as a tar, its entries' bytes read through `read`; a layer the image record names stays as it was made. */
export function layerTars(plan: BuildPlan, read: (source: string) => Uint8Array): RunLayer[] {
  return plan.layers.map((l): RunLayer => {
    if (l.made) return { diffId: l.made.diffId, made: { digest: l.made.digest, size: l.made.size } };
    const entries: LayerEntry[] = l.entries.map(({ source, ...e }) => ({ ...e, data: e.data ?? (source !== undefined ? read(source) : undefined) }));
    const tar = writeTar(entries);
    return { diffId: sha256(tar), tar };
  });
}

/** The compressed blob of a layer: this run's own fixed gzip of its tar, so the same layer gives the same digest. Pure. */
export function layerBlob(layer: AppLayer): Blob & { data: Buffer } {
  const data = gzipFixed(layer.tar);
  return { digest: sha256(data), size: data.length, data };
}

export interface PlatformImage {
  config: Blob & { data: Buffer };
  manifest: { digest: string; mediaType: string; bytes: Buffer };
  /** The base's layers, which must reach the target repository by mount or copy. */
  baseLayers: Manifest['layers'];
}

export interface AssembledImage {
  flavor: Flavor;
  layers: Blob[];
  platforms: PlatformImage[];
  /** The index, when more than one platform was asked for (or the base is an index and several were named). */
  index?: { digest: string; mediaType: string; bytes: Buffer };
}

/** Configs, manifests and (for several platforms) the index, from the base and the build's layers, each with the base annotations. Pure. */
export function assemble(base: BaseImage, resolved: ResolvedBase, plan: BuildPlan, layers: readonly Blob[], diffIds: readonly string[], labels: readonly [string, string][], created: string, multi: boolean): AssembledImage {
  const platforms = base.platforms.map((p, i) => {
    const config: ImageConfig = childConfig(p.config, { steps: plan.steps, diffIds, labels, created });
    const cBytes = configBytes(config);
    const cBlob = { digest: sha256(cBytes), size: cBytes.length, data: cBytes };
    const manifest = childManifest(p.manifest, base.flavor, cBlob, layers, baseAnnotations(resolved, resolved.platforms[i].platform));
    const mBytes = jsonBytes(manifest);
    return { config: cBlob, manifest: { digest: sha256(mBytes), mediaType: manifest.mediaType!, bytes: mBytes }, baseLayers: p.manifest.layers };
  });
  if (!multi) return { flavor: base.flavor, layers: [...layers], platforms };
  const index = childIndex(
    base.flavor,
    platforms.map((p, i) => ({ digest: p.manifest.digest, size: p.manifest.bytes.length, platform: base.platforms[i].platform })),
    baseAnnotations(resolved),
  );
  const iBytes = jsonBytes(index);
  return { flavor: base.flavor, layers: [...layers], platforms, index: { digest: sha256(iBytes), mediaType: index.mediaType ?? MEDIA.ociIndex, bytes: iBytes } };
}
