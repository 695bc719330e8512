/**
 * Rebase, the plan: a release's images (manifest + config per platform), the base each was built on and that
 * base's image now, in; the new manifests, configs and index, or a skip, or the refusals, out. Pure: no registry.
 */
import type { ImageConfig } from '../oci/config.js';
import { configBytes } from '../oci/config.js';
import { digestOf } from '../oci/digest.js';
import { jsonBytes, platformName, type Descriptor, type Index, type Manifest, type Platform } from '../oci/manifest.js';
import { imageEntries, MEDIA } from '../oci/media.js';
import { rebaseConfig } from './config.js';

import { BASE_DIGEST, BASE_NAME } from '../builders/base.js';

/** The annotations every build records on each platform manifest and on the index: what to rebase from. */
export { BASE_DIGEST, BASE_NAME };

/** One image manifest as read: its digest, media type, parsed body and config. */
export interface ImageRead {
  digest: string;
  mediaType: string;
  manifest: Manifest;
  config: ImageConfig;
}

/** The base an image names in its annotations. */
export interface BaseNamed {
  name: string;
  digest: string;
}

/** The release's platform image, the old base's image of that platform, and the base name's image of it now. */
export interface PlatformFacts {
  platform: Platform;
  image: ImageRead;
  base: BaseNamed;
  oldBase: ImageRead;
  newBase: ImageRead;
  /** The digest the base name resolves to now (the index, or the platform manifest of a one-platform base). */
  newBaseTop: string;
}

export interface Pushable {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface RebasedPlatform {
  platform: Platform;
  manifest: Pushable;
  config: Pushable;
  /** The new base's layers: mounted from the base repository, never uploaded. */
  baseLayers: Descriptor[];
  /** The image's own layers, the same blobs as before. */
  appLayers: Descriptor[];
  unchanged: boolean;
}

export type RebasePlan =
  | { kind: 'skip'; reason: string }
  | { kind: 'rebase'; platforms: RebasedPlatform[]; index?: Pushable; top: Pushable; notes: string[] };

/** The base an image's (or else its index's) annotations name; undefined when either is missing. Pure. */
export function baseNamed(own: Record<string, string> | undefined, index?: Record<string, string>): BaseNamed | undefined {
  for (const a of [own, index]) if (a?.[BASE_NAME] && a[BASE_DIGEST]) return { name: a[BASE_NAME], digest: a[BASE_DIGEST] };
  return undefined;
}

/** Why the old base's layers are not where the image has them; undefined when they are its first layers. Pure. */
export function prefixProblem(image: ImageRead, oldBase: ImageRead): string | undefined {
  const il = image.manifest.layers.map((l) => l.digest);
  const bl = oldBase.manifest.layers.map((l) => l.digest);
  const id = image.config.rootfs.diff_ids;
  const bd = oldBase.config.rootfs.diff_ids;
  if (il.length !== id.length) return `its manifest has ${il.length} layers but its config ${id.length} diff_ids`;
  if (bl.length > il.length || bl.some((d, i) => il[i] !== d)) return `the base's ${bl.length} layers are not the first layers of its manifest`;
  if (bd.length !== bl.length || bd.some((d, i) => id[i] !== d)) return `the base's diff_ids are not the first diff_ids of its config`;
  if ((image.config.history?.length ?? 0) < (oldBase.config.history?.length ?? 0)) return 'its history is shorter than its base\'s';
  return undefined;
}

function pushable(mediaType: string, bytes: Buffer): Pushable {
  return { digest: digestOf(bytes), mediaType, bytes };
}

/** The annotation's new value: the same kind of digest it had (the base index's, or the platform manifest's). Pure. */
function newBaseDigest(f: PlatformFacts): string {
  return f.base.digest === f.oldBase.digest ? f.newBase.digest : f.newBaseTop;
}

/** One platform on the new base: the new base's layers, then the same application layers. Pure. */
export function rebasePlatform(f: PlatformFacts): RebasedPlatform {
  const unchanged = f.newBase.digest === f.oldBase.digest;
  const appLayers = f.image.manifest.layers.slice(f.oldBase.manifest.layers.length);
  const config = unchanged ? f.image.config : rebaseConfig(f.image.config, f.oldBase.config, f.newBase.config);
  const cBytes = configBytes(config);
  const cfg = pushable(f.image.manifest.config.mediaType, cBytes);
  const manifest: Manifest = {
    ...f.image.manifest,
    config: { ...f.image.manifest.config, digest: cfg.digest, size: cBytes.length },
    layers: [...f.newBase.manifest.layers, ...appLayers],
    annotations: { ...f.image.manifest.annotations, [BASE_NAME]: f.base.name, [BASE_DIGEST]: newBaseDigest(f) },
  };
  return { platform: f.platform, manifest: pushable(f.image.mediaType, jsonBytes(manifest)), config: cfg, baseLayers: f.newBase.manifest.layers, appLayers, unchanged };
}

/** The new index: its annotations (the base digest moved), the image entries pointing at the new manifests. Pure. */
export function rebaseIndex(index: Index, mediaType: string, rebased: ReadonlyMap<string, RebasedPlatform>, newTop: string): Pushable {
  const manifests = imageEntries(index.manifests).map((d) => {
    const r = rebased.get(d.digest);
    if (!r) throw new Error(`the index entry ${d.digest} (${platformName(d.platform)}) was not rebased`);
    return { ...d, mediaType: r.manifest.mediaType, digest: r.manifest.digest, size: r.manifest.bytes.length };
  });
  const annotations = index.annotations?.[BASE_DIGEST] ? { ...index.annotations, [BASE_DIGEST]: newTop } : index.annotations;
  return pushable(mediaType || index.mediaType || MEDIA.ociIndex, jsonBytes({ ...index, manifests, ...(annotations ? { annotations } : {}) }));
}

/** The release as read: one manifest, or an index whose image entries are `platforms` (in index order). */
export interface ReleaseFacts {
  ref: string;
  digest: string;
  index?: { mediaType: string; body: Index };
  platforms: PlatformFacts[];
}

/**
 * The plan: every refusal at once (nothing is written then), a skip when every platform's base is where it was,
 * else every platform rebased (an unchanged one keeps its config and layers) and the index around them. Pure.
 */
export function planRebase(release: ReleaseFacts): RebasePlan | { problems: string[] } {
  const problems = release.platforms.flatMap((f) => {
    const why = prefixProblem(f.image, f.oldBase);
    return why ? [`${release.ref} (${platformName(f.platform)}): ${why}, so its application layers cannot be told from its base's; it can only be rebuilt.`] : [];
  });
  if (problems.length) return { problems };
  if (release.platforms.every((f) => f.newBase.digest === f.oldBase.digest)) {
    const f = release.platforms[0];
    return { kind: 'skip', reason: `the base ${f.base.name} (${f.newBaseTop}) gives every platform the image it was built on` };
  }
  const platforms = release.platforms.map(rebasePlatform);
  const notes = platforms.map((p, i) => {
    const f = release.platforms[i];
    return p.unchanged ? `${platformName(p.platform)}: its base is unchanged; only the base annotation moves.` : `${platformName(p.platform)}: ${f.oldBase.manifest.layers.length} base layer(s) → ${p.baseLayers.length} from ${f.base.name}@${f.newBase.digest}; ${p.appLayers.length} application layer(s) kept.`;
  });
  if (!release.index) return { kind: 'rebase', platforms, top: platforms[0].manifest, notes };
  const dropped = release.index.body.manifests.length - imageEntries(release.index.body.manifests).length;
  if (dropped) notes.push(`${dropped} attestation manifest(s) of the old image are left out of the new index; they describe the old digest.`);
  const byOld = new Map(release.platforms.map((f, i) => [f.image.digest, platforms[i]]));
  const index = rebaseIndex(release.index.body, release.index.mediaType, byOld, release.platforms[0].newBaseTop);
  return { kind: 'rebase', platforms, index, top: index, notes };
}
