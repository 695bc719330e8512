import type { RunnerContext } from './context.js';
import { InputError } from './errors.js';
import { commitDate, fetchRepo } from './github.js';
import type { Inputs } from './inputs.js';
import { isValidTag } from './registry/name.js';
import { computeMeta, type Meta, type MetaContext } from './tags/index.js';

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

/** Tags, labels and version for this event; a tag Docker would refuse is an input error. */
export async function resolveMetadata(inputs: Inputs, ctx: RunnerContext, env: NodeJS.ProcessEnv, log: (m: string) => void, now: Date): Promise<Meta> {
  const repo = await fetchRepo(ctx, inputs.githubToken, log);
  const meta = computeMeta(
    { images: inputs.images.map((i) => i.name), tags: inputs.tags, flavor: inputs.flavor, labels: inputs.labels, annotations: inputs.annotations },
    metaContext(ctx, await commitDate(ctx, env)),
    repo,
    now,
  );
  for (const t of meta.tagNames) {
    if (!isValidTag(t)) throw new InputError('tags', `the tag "${t}" is not valid (at most 128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'); change the rule that makes it.`);
  }
  return meta;
}
