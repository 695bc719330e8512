/**
 * Which tags a pull request's preview runs pushed: the metadata stage's own rules (src/tags, src/stages/metadata.ts)
 * rendered again for that pull request and each of its commits, keeping only the rules that name a pull request
 * (`type=ref,event=pr`) or a commit (`type=sha`). Nothing here parses a tag rule itself. Pure.
 */
import type { RunnerContext } from '../context.js';
import type { Inputs } from '../inputs/inputs.js';
import { metaContext, metaInputs } from '../stages/metadata.js';
import { computeMeta, parseTagRules, type MetaContext } from '../tags/index.js';

/** The pull request whose preview is looked for. */
export interface PullRequestRef {
  number: number;
  /** Commits whose sha tags belong to it: the head, the merge commits the runs saw, the PR's commits. */
  shas: readonly string[];
  /** The event payload's `pull_request`, when there is one (for rules whose `enable` reads it). */
  payload?: Record<string, unknown>;
}

type Which = 'pr' | 'pr+sha';

/** The tag lines whose rule is one of the pull request's own (for `which`), as the user wrote them. */
function previewLines(inputs: Inputs, env: NodeJS.ProcessEnv, eventName: string, which: Which): string[] {
  const rules = parseTagRules(metaInputs(inputs, env, eventName).tags);
  return rules.filter((r) => (r.type === 'ref' && r.attrs.event === 'pr') || (which === 'pr+sha' && r.type === 'sha')).map((r) => r.source);
}

/** The run as a preview run of this pull request at commit `sha` saw it. */
function previewContext(ctx: RunnerContext, pr: PullRequestRef, sha: string): MetaContext {
  const eventName = ctx.eventName.startsWith('pull_request') ? ctx.eventName : 'pull_request';
  const given = (pr.payload ?? {}) as { head?: Record<string, unknown> };
  const pullRequest = { ...given, number: pr.number, head: { ...(given.head ?? {}), sha } };
  const payload = { ...ctx.payload, number: pr.number, pull_request: pullRequest };
  return { ...metaContext({ ...ctx, eventName, sha, payload }, undefined), ref: `refs/pull/${pr.number}/merge` };
}

function render(inputs: Inputs, env: NodeJS.ProcessEnv, ctx: RunnerContext, pr: PullRequestRef, which: Which, now: Date): string[] {
  const eventName = ctx.eventName.startsWith('pull_request') ? ctx.eventName : 'pull_request';
  const lines = previewLines(inputs, env, eventName, which);
  // no rule names a pull request: the preview runs pushed no tag of their own (parseTagRules would take the defaults)
  if (!lines.length) return [];
  const meta = { ...metaInputs(inputs, env, eventName), images: [], tags: lines, flavor: [...inputs.flavor, 'latest=false'] };
  const names = new Set<string>();
  for (const sha of ['', ...pr.shas]) {
    for (const n of computeMeta(meta, previewContext(ctx, pr, sha), {}, now).tagNames) names.add(n);
  }
  return [...names].sort();
}

/** What the preview runs of `pr` pushed: its `pr-N` tags, its sha tags, and the version label those runs wrote. */
export interface PreviewTags {
  pr: string[];
  sha: string[];
  /** `org.opencontainers.image.version` of a preview image (`pr-42` by the default rules): tells a preview's sha tag from another run's. */
  versions: string[];
}

export function previewTags(inputs: Inputs, env: NodeJS.ProcessEnv, ctx: RunnerContext, pr: PullRequestRef, now: Date): PreviewTags {
  const pullRequest = render(inputs, env, ctx, pr, 'pr', now);
  const sha = render(inputs, env, ctx, pr, 'pr+sha', now).filter((t) => !pullRequest.includes(t));
  const eventName = ctx.eventName.startsWith('pull_request') ? ctx.eventName : 'pull_request';
  const versions = new Set<string>();
  for (const c of ['', ...pr.shas]) {
    const v = computeMeta({ ...metaInputs(inputs, env, eventName), images: [] }, previewContext(ctx, pr, c), {}, now).version.main;
    if (v) versions.add(v);
  }
  return { pr: pullRequest, sha, versions: [...versions] };
}

const SENTINEL = 987654321;

/**
 * The pull request a registry tag is the `type=ref,event=pr` tag of (`pr-42` → 42 by the default rule), found by
 * rendering that rule for a sentinel number and checked by rendering it again for the number read; undefined otherwise.
 */
export function pullRequestOfTag(inputs: Inputs, env: NodeJS.ProcessEnv, ctx: RunnerContext, tag: string, now: Date): number | undefined {
  const shapes = render(inputs, env, ctx, { number: SENTINEL, shas: [] }, 'pr', now).filter((n) => n.includes(String(SENTINEL)));
  for (const shape of shapes) {
    const [before, after] = shape.split(String(SENTINEL), 2);
    if (!tag.startsWith(before) || !tag.endsWith(after) || tag.length <= before.length + after.length) continue;
    const digits = tag.slice(before.length, tag.length - after.length);
    if (!/^[1-9]\d{0,9}$/.test(digits)) continue;
    const n = Number(digits);
    if (render(inputs, env, ctx, { number: n, shas: [] }, 'pr', now).includes(tag)) return n;
  }
  return undefined;
}
