/**
 * The merge at the registries: read every leg on every image (manifest by digest and config, never a layer), run
 * every check on every registry before any write, then put the index by digest everywhere, then the tags last.
 */
import { errorMessage, StageError } from '../errors.js';
import type { Published } from '../builders/builder.js';
import type { RegistryResult } from '../builders/buildkit/publish.js';
import type { PushResult } from '../builders/buildkit/push.js';
import { platformName } from '../oci/manifest.js';
import { RegistryError, type RegistryClient } from '../registry/client.js';
import { digestOf } from '../oci/digest.js';
import { tagRef, type Target } from '../targets.js';
import { createArgs, imagetoolsIndex, inspectArgs, imagetoolsReader, type Imagetools } from './imagetools.js';
import { indexAnnotations, planMerge, type LegFound, type MergePlan, type RegistryView } from './plan.js';
import { clientReader, readLeg, type LegReader } from './read.js';
import type { LegSource } from './source.js';


export interface MergeIO {
  client: (registry: string) => RegistryClient;
  /** Whether this refusal of our client is the narrow case `docker buildx imagetools` handles (see imagetools.ts). */
  fallback: (registry: string, error: unknown) => boolean;
  tools: Imagetools;
  log: (message: string) => void;
}

async function readAll(reader: LegReader, legs: readonly LegSource[]): Promise<(LegFound | undefined)[]> {
  return Promise.all(legs.map((l) => readLeg(reader, l.digest)));
}

/** The legs as one image's registry holds them: through our client, or through docker in the narrow fallback case. */
async function view(target: Target, legs: readonly LegSource[], io: MergeIO): Promise<RegistryView & { viaDocker: boolean }> {
  const { registry, repository, name } = target.image;
  try {
    return { registry, image: name, found: await readAll(clientReader(io.client(registry), repository), legs), viaDocker: false };
  } catch (e) {
    if (!io.fallback(registry, e)) throw new StageError('merge', `Reading the legs on ${registry} failed: ${errorMessage(e)}. Nothing was pushed.${e instanceof RegistryError && e.kind === 'auth' ? ` Give credentials that may pull and push ${repository} in \`registry-auth\`.` : ''}`);
    io.log(`${registry} refused this action's registry client (${errorMessage(e)}); the runner's docker config holds credentials for it that only docker uses, so docker buildx imagetools takes over.`);
    return { registry, image: name, found: await readAll(imagetoolsReader(io.tools, name), legs), viaDocker: true };
  }
}

/** Every check on every registry, before any write: the index to push, or a StageError listing every refusal. */
export async function checkLegs(legs: readonly LegSource[], targets: readonly Target[], commit: string, annotations: readonly string[], io: MergeIO): Promise<{ plan: MergePlan; viaDocker: boolean; found: LegFound[] }> {
  const views = [];
  for (const t of targets) views.push(await view(t, legs, io));
  const decided = planMerge(legs, views, commit, annotations);
  if ('problems' in decided) throw new StageError('merge', `The merge was refused, and nothing was pushed:\n- ${decided.problems.join('\n- ')}`);
  io.log(`Every leg is on ${targets.map((t) => t.image.name).join(', ')}, one platform each (${decided.plan.platforms.join(', ')}), built from ${commit}.`);
  return { plan: decided.plan, viaDocker: views.some((v) => v.viaDocker), found: views[0].found as LegFound[] };
}

/**
 * Writes the index: by digest on every image first (a failure there stops before any tag), then the tags on
 * every image, each checked against the digest the registry answers. A registry whose tags fail does not stop
 * the others; its error is in `results` for the caller to fail the step with.
 */
export async function pushIndex(plan: MergePlan, targets: readonly Target[], io: MergeIO): Promise<Published> {
  for (const { image } of targets) {
    try {
      await io.client(image.registry).putManifest(image.repository, plan.digest, plan.mediaType, plan.bytes);
      io.log(`${image.name}@${plan.digest}: index of ${plan.platforms.join(', ')} pushed by digest.`);
    } catch (e) {
      throw new StageError('merge', `Pushing the index ${plan.digest} to ${image.name} failed: ${errorMessage(e)}. No tag was written on any registry.`);
    }
  }
  return writeTags(targets, plan.digest, async (t, tag) => io.client(t.image.registry).putManifest(t.image.repository, tag, plan.mediaType, plan.bytes), io);
}

async function writeTags(targets: readonly Target[], digest: string, put: (t: Target, tag: string) => Promise<string>, io: MergeIO): Promise<Published> {
  const pushes: PushResult[] = [];
  const results: RegistryResult[] = [];
  for (const t of targets) {
    const done: PushResult[] = [];
    const result = (): Omit<RegistryResult, 'pushed' | 'digest'> => ({ registry: t.image.registry, refs: done.map((d) => d.ref), targets: done.length ? [{ image: t.image, tags: done.map((d) => d.tag!) }] : [] });
    try {
      for (const tag of t.tags) {
        const got = await put(t, tag);
        if (got !== digest) throw new Error(`${tagRef(t.image, tag)} points at ${got}, not the index ${digest}`);
        done.push({ ref: tagRef(t.image, tag), image: t.image, tag, digest, attempts: 1 });
      }
      pushes.push(...done);
      io.log(`${t.image.name}: ${t.tags.join(', ')} → ${digest}`);
      results.push({ ...result(), digest, pushed: true });
    } catch (e) {
      pushes.push(...done);
      io.log(`${t.image.registry}: ${errorMessage(e)}`);
      results.push({ ...result(), digest: done.length ? digest : '', pushed: false, error: errorMessage(e) });
    }
  }
  return { pushes, results };
}

/**
 * The same through `docker buildx imagetools create`, for every image, so that one index digest is everywhere:
 * its dry run gives the bytes (and digest) first, then each image gets the index by that digest, then the tags,
 * whose answer is read back and checked.
 */
export async function pushIndexWithDocker(found: readonly LegFound[], legs: readonly LegSource[], targets: readonly Target[], annotations: readonly string[], io: MergeIO): Promise<Published & { digest: string }> {
  // sorted by platform as our own index is, so that the digest does not depend on the order of the legs
  const sorted = legs
    .map((l, i) => ({ digest: l.digest, platform: platformName(found[i].platforms[0]) }))
    .sort((a, b) => (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : 0))
    .map((l) => l.digest);
  const ann = indexAnnotations(annotations);
  const sources = (t: Target): string[] => sorted.map((d) => `${t.image.name}@${d}`);
  const { digest } = await imagetoolsIndex(io.tools, sources(targets[0]), ann);
  for (const t of targets) {
    try {
      await io.tools.run(createArgs({ sources: sources(t), tags: [`${t.image.name}@${digest}`], annotations: ann }));
    } catch (e) {
      throw new StageError('merge', `Pushing the index ${digest} to ${t.image.name} with docker buildx imagetools failed: ${errorMessage(e)}. No tag was written on any registry.`);
    }
  }
  const published = await writeTags(
    targets.filter((t) => t.tags.length),
    digest,
    async (t, tag) => {
      await io.tools.run(createArgs({ sources: [`${t.image.name}@${digest}`], tags: [tagRef(t.image, tag)] }));
      const raw = await io.tools.run(inspectArgs(tagRef(t.image, tag), 'raw'));
      // --raw prints the stored bytes; some versions add a newline after them
      return [raw, raw.replace(/\n$/, '')].map((r) => digestOf(Buffer.from(r))).find((d) => d === digest) ?? digestOf(Buffer.from(raw));
    },
    io,
  );
  return { ...published, digest };
}
