/**
 * The merge's pure core: from what each registry holds of each leg, the refusals (every one, before any write)
 * or the index to push. The index's bytes depend only on the legs and the annotations, never on their order.
 */
import { jsonBytes, normalPlatformName, platformName, type Descriptor, type Index, type Platform } from '../oci/manifest.js';
import { isAttestation, MEDIA } from '../oci/media.js';
import { digestOf } from '../oci/digest.js';
import type { LegSource } from './source.js';

/** What a registry holds under a leg's digest (read without any layer). */
export interface LegFound {
  mediaType: string;
  size: number;
  /** The platform of each image the leg holds: one for a manifest, one per image entry for an index. */
  platforms: Platform[];
  /** The config's org.opencontainers.image.revision (of the one image). */
  revision?: string;
  /** An index leg: its descriptors, verbatim (the image and BuildKit's attestation manifests). */
  children?: Descriptor[];
}

export interface RegistryView {
  registry: string;
  /** The image name, as `images` gives it. */
  image: string;
  /** For each leg, in the order of `legs`: undefined when the registry has no manifest of that digest. */
  found: (LegFound | undefined)[];
}

export interface MergePlan {
  mediaType: string;
  bytes: Buffer;
  digest: string;
  /** The platform of each leg, in index order. */
  platforms: string[];
}

const REVISION = 'org.opencontainers.image.revision';
export { REVISION };

/** Whether `claimed` (a digest file's platform) names `actual`: a claim without a variant matches any variant. Pure. */
export function samePlatform(claimed: string, actual: Platform): boolean {
  const [os, arch, variant] = claimed.split('/');
  return os === actual.os && arch === actual.architecture && (!variant || variant === (actual.variant ?? ''));
}

/** Everything wrong with one leg as one registry holds it. Pure. */
function legProblems(leg: LegSource, found: LegFound | undefined, view: RegistryView, commit: string): string[] {
  const where = `${view.image} on ${view.registry}`;
  if (!found) {
    return [`${leg.digest}${leg.file ? ` (from ${leg.file})` : ''} is missing from ${where}: every leg must push to every image of the merge job; give the legs and the merge job the same \`images\`.`];
  }
  const out: string[] = [];
  if (found.platforms.length !== 1) {
    const names = found.platforms.map(platformName).join(', ') || 'none';
    return [`${leg.digest} on ${where} is a multi-platform index (${names}), not one platform's image; merge the legs' own digests, one platform each.`];
  }
  const platform = found.platforms[0];
  if (leg.platform && !samePlatform(leg.platform, platform)) {
    out.push(`${leg.digest}: its digest file ${leg.file ?? ''} says ${leg.platform}, but the image on ${where} is ${platformName(platform)}; download the digest files of this run's legs only.`);
  }
  const built = found.revision ?? leg.commit;
  if (!built) out.push(`${leg.digest} on ${where} names no commit (no ${REVISION} label); build the legs with this action and push-by-digest: true.`);
  else if (built !== commit) out.push(`${leg.digest} (${platformName(platform)}) was built from commit ${built}, but this run is at ${commit}; run the legs and the merge job in one workflow run, on one commit.`);
  return out;
}

/** Docker's list when every entry is a docker v2 manifest, else an OCI index. Pure. */
export function indexMediaType(entries: readonly Descriptor[]): string {
  return entries.length > 0 && entries.every((d) => d.mediaType === MEDIA.dockerManifest) ? MEDIA.dockerList : MEDIA.ociIndex;
}

/**
 * The index's annotations from metadata's `annotations` lines: `manifest:` and `index:` (or no level) kept with
 * the prefix stripped, the descriptor levels left out, keys sorted. Pure.
 */
export function indexAnnotations(lines: readonly string[]): Record<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^(?:(manifest|index|manifest-descriptor|index-descriptor)(?:\[[^\]]*\])?:)?([^=]+)=(.*)$/s.exec(line.trim());
    if (!m || (m[1] && m[1].endsWith('-descriptor'))) continue;
    out.set(m[2], m[3]);
  }
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The index of the legs: one entry per leg (or its children verbatim), sorted by platform. Pure. */
export function assembleIndex(legs: readonly { digest: string; found: LegFound }[], annotations: Record<string, string>): MergePlan {
  const sorted = [...legs].sort((a, b) => {
    const x = platformName(a.found.platforms[0]);
    const y = platformName(b.found.platforms[0]);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const manifests: Descriptor[] = sorted.flatMap(({ digest, found }) =>
    found.children ? found.children : [{ mediaType: found.mediaType, digest, size: found.size, platform: pickPlatform(found.platforms[0]) }],
  );
  const mediaType = indexMediaType(manifests);
  // docker's list format has no annotations field: they go on an OCI index only
  const withAnnotations = mediaType === MEDIA.ociIndex && Object.keys(annotations).length > 0;
  const doc: Index = { schemaVersion: 2, mediaType, manifests, ...(withAnnotations ? { annotations } : {}) };
  const bytes = jsonBytes(doc);
  return { mediaType, bytes, digest: digestOf(bytes), platforms: sorted.map((l) => platformName(l.found.platforms[0])) };
}

/** os, architecture, variant, os.version, os.features: what a descriptor's platform holds, in a fixed order. Pure. */
function pickPlatform(p: Platform): Platform {
  const out: Platform = { architecture: p.architecture, os: p.os };
  if (p['os.version']) out['os.version'] = p['os.version'];
  if (Array.isArray(p['os.features']) && p['os.features'].length) out['os.features'] = p['os.features'];
  if (p.variant) out.variant = p.variant;
  return out;
}

/**
 * Refusals or the index. Every leg must be on every registry, one platform each, no platform twice, all built
 * from `commit`. The index is assembled from the first registry's view; the others hold the same digests. Pure.
 */
export function planMerge(legs: readonly LegSource[], views: readonly RegistryView[], commit: string, annotationLines: readonly string[]): { problems: string[] } | { plan: MergePlan } {
  if (!legs.length) return { problems: ['no digest to merge'] };
  const problems: string[] = [];
  for (const view of views) legs.forEach((leg, i) => problems.push(...legProblems(leg, view.found[i], view, commit)));
  const first = views.map((v) => v.found).find((f) => f.every((x) => x && x.platforms.length === 1));
  if (first) {
    const byPlatform = new Map<string, string[]>();
    legs.forEach((leg, i) => {
      const name = normalPlatformName(first[i]!.platforms[0]);
      byPlatform.set(name, [...(byPlatform.get(name) ?? []), leg.digest]);
    });
    for (const [name, digests] of byPlatform) if (digests.length > 1) problems.push(`${digests.join(' and ')} both claim ${name}; give each platform one leg (one digest per platform).`);
  }
  if (problems.length || !first) return { problems: [...new Set(problems)] };
  return { plan: assembleIndex(legs.map((leg, i) => ({ digest: leg.digest, found: first[i]! })), indexAnnotations(annotationLines)) };
}

/** Attestation entries are not platforms: what an index leg holds as images. Pure. */
export function imageEntries(children: readonly Descriptor[]): Descriptor[] {
  return children.filter((d) => !isAttestation(d));
}
