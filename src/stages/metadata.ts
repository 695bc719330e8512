import type { RunnerContext } from '../context.js';
import { InputError, errorMessage } from '../errors.js';
import { fetchRepo } from '../github.js';
import type { Inputs } from '../inputs/inputs.js';
import type { RegistryPool } from '../registry/pool.js';
import { isValidTag } from '../oci/name.js';
import type { RetryPolicy } from '../retry/retry.js';
import { computeMeta, DEFAULT_TAG_LINES, parseFlavor, parseTagRules, type Meta, type MetaContext, type MetaInputs } from '../tags/index.js';

export function metaContext(ctx: RunnerContext, date: Date | undefined): MetaContext {
  return {
    eventName: ctx.eventName,
    ref: ctx.ref,
    sha: ctx.sha,
    payload: ctx.payload,
    commitDate: date,
    runId: ctx.runId,
    runNumber: ctx.runNumber,
  };
}

/**
 * The tag rules: the user's, or metadata-action's defaults; with `pr-sha: head` a pull request preview also
 * gets `sha-<head commit>` (our own input, so metadata-action users see no change). Pure.
 */
export function tagRules(lines: string[], prSha: 'head' | 'merge', eventName: string): string[] {
  const given = lines.some((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (given || prSha !== 'head' || !eventName.startsWith('pull_request')) return lines;
  return [...DEFAULT_TAG_LINES, 'type=sha'];
}

/** The metadata-action inputs, with its DOCKER_METADATA_* environment switches honoured. Pure. */
export function metaInputs(inputs: Inputs, env: NodeJS.ProcessEnv, eventName = ''): MetaInputs {
  const shortSha = Number.parseInt(env.DOCKER_METADATA_SHORT_SHA_LENGTH ?? '', 10);
  const levels = env.DOCKER_METADATA_ANNOTATIONS_LEVELS?.split(',').map((l) => l.trim()).filter(Boolean);
  const prSha = inputs.prSha === 'head' || env.DOCKER_METADATA_PR_HEAD_SHA === 'true' ? 'head' : 'merge';
  return {
    images: inputs.images.map((i) => i.name),
    tags: tagRules(inputs.tags, inputs.prSha, eventName),
    flavor: inputs.flavor,
    labels: inputs.labels,
    annotations: inputs.annotations,
    sepTags: inputs.sepTags,
    sepLabels: inputs.sepLabels,
    sepAnnotations: inputs.sepAnnotations,
    prSha,
    shortShaLength: Number.isFinite(shortSha) && shortSha > 0 ? shortSha : undefined,
    annotationLevels: levels?.length ? levels : undefined,
  };
}

/** True when a rule or the flavor asks what is already published (latest=highest, floating=highest). Pure. */
export function needsPublishedTags(inputs: Inputs): boolean {
  return parseFlavor(inputs.flavor).latest === 'highest' || parseTagRules(inputs.tags).some((r) => r.attrs.floating === 'highest');
}

/**
 * Tags already in the target registries, read with the run's registry clients (Link followed on the same origin
 * only, token realms checked, transient faults retried with the run's policy); undefined when any cannot be read.
 */
async function publishedTags(inputs: Inputs, warn: (m: string) => void, registries: () => RegistryPool): Promise<string[] | undefined> {
  const all: string[] = [];
  const pool = registries();
  try {
    for (const image of inputs.images) {
      try {
        all.push(...(await pool.client(image.registry).listTags(image.repository)));
      } catch (e) {
        warn(`Could not read the published tags of ${image.name} (${errorMessage(e)}): latest and floating tags behave as latest=auto.`);
        return undefined;
      }
    }
  } finally {
    pool.close();
  }
  return all;
}

/** Tags, labels and version for this event; a tag Docker would refuse is an input error. */
export async function resolveMetadata(
  inputs: Inputs,
  ctx: RunnerContext,
  env: NodeJS.ProcessEnv,
  log: { info: (m: string) => void; warning: (m: string) => void },
  clock: { now: Date; commitDate?: Date },
  policy: RetryPolicy,
  registries: () => RegistryPool,
): Promise<Meta> {
  const repo = await fetchRepo(ctx, inputs.githubToken, log.info, policy);
  const published = needsPublishedTags(inputs) ? await publishedTags(inputs, log.warning, registries) : undefined;
  const meta = computeMeta(metaInputs(inputs, env, ctx.eventName), metaContext(ctx, clock.commitDate), repo, clock.now, published);
  for (const t of meta.tagNames) {
    if (!isValidTag(t)) throw new InputError('tags', `the tag "${t}" is not valid (at most 128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'); change the rule that makes it.`);
  }
  return meta;
}
