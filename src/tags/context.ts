/** The run as metadata-action sees it (pull_request_target ref, PR head sha, commit date) and its global expressions. */
import moment from 'moment-timezone';
import { TemplateError, type Helper, type Scope } from './template.js';
import type { MetaContext, MetaInputs, RepoInfo } from './types.js';

export interface Run {
  eventName: string;
  ref: string;
  /** The sha used for sha tags, {{sha}} and the revision label. */
  sha: string;
  /** payload.pull_request.head.sha on pull_request events, for `type=sha,pr=head`. */
  prHeadSha?: string;
  payload: Record<string, unknown>;
  /** For {{is_default_branch}}: ctx.defaultBranch, else payload.repository.default_branch. */
  defaultBranch?: string;
  /** For type=edge: the repository's default branch. */
  repoDefaultBranch?: string;
  commitDate: Date;
  now: Date;
  shortShaLength: number;
}

function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

const validDate = (ts: string | undefined): Date | undefined => (ts && !Number.isNaN(Date.parse(ts)) ? new Date(ts) : undefined);

/** Commit time from the event payload, as metadata-action reads it: the commits[] entry of this sha, then head_commit when it is this sha. Pure. */
export function payloadCommitDate(payload: Record<string, unknown>, sha: string): Date | undefined {
  const commits = payload['commits'];
  if (Array.isArray(commits)) {
    const ts = validDate(str(get(commits.find(c => get(c, 'id') === sha), 'timestamp')));
    if (ts) return ts;
  }
  if (get(payload, 'head_commit', 'id') === sha) return validDate(str(get(payload, 'head_commit', 'timestamp')));
  return undefined;
}

/** The sha the tags and labels name: the pull request's head with `pr-sha: head`, else the event's. Pure. */
export function labelledSha(eventName: string, sha: string, payload: Record<string, unknown>, prSha: 'head' | 'merge' | undefined): string {
  const prHeadSha = /pull_request/.test(eventName) ? str(get(payload, 'pull_request', 'head', 'sha')) : undefined;
  return prSha === 'head' && prHeadSha !== undefined ? prHeadSha : sha;
}

export function resolveRun(ctx: MetaContext, repo: RepoInfo, inputs: MetaInputs, now: Date): Run {
  const payload = ctx.payload ?? {};
  let ref = ctx.ref ?? '';
  if (/pull_request_target/.test(ctx.eventName)) {
    ref = `refs/pull/${str(payload['number']) ?? ''}/merge`;
  }
  const isPr = /pull_request/.test(ctx.eventName);
  const prHeadSha = isPr ? str(get(payload, 'pull_request', 'head', 'sha')) : undefined;
  const sha = labelledSha(ctx.eventName, ctx.sha ?? '', payload, inputs.prSha);
  const defaultBranch = ctx.defaultBranch ?? str(get(payload, 'repository', 'default_branch'));
  return {
    eventName: ctx.eventName,
    ref,
    sha,
    prHeadSha,
    payload,
    defaultBranch,
    repoDefaultBranch: repo.defaultBranch ?? defaultBranch,
    commitDate: ctx.commitDate ?? payloadCommitDate(payload, sha) ?? now,
    now,
    shortShaLength: inputs.shortShaLength ?? 7,
  };
}

export function shortSha(sha: string, length: number): string {
  return length >= sha.length ? sha : sha.substring(0, length);
}

export const stripTagRef = (ref: string): string => ref.replace(/^refs\/tags\//g, '');
export const stripBranchRef = (ref: string): string => ref.replace(/^refs\/heads\//g, '');
export const isTagRef = (ref: string): boolean => /^refs\/tags\//.test(ref);
export const isBranchRef = (ref: string): boolean => /^refs\/heads\//.test(ref);
export const isPrRef = (ref: string): boolean => /^refs\/pull\//.test(ref);

/**
 * `date` in time zone `tz`, formatted with moment's tokens, exactly as metadata-action does
 * (`moment(date).tz(tz).format(pattern)`); no pattern means moment's default format.
 */
export function formatDate(date: Date, pattern: string | undefined, tz: string): string {
  return moment(date).tz(tz).format(pattern);
}

/** A `{{date 'FORMAT' tz='Zone'}}` helper rendering `date`. */
export function dateHelper(name: string, date: Date, warn: (m: string) => void): Helper {
  return (params, hash) => {
    let tz = 'UTC';
    for (const key of Object.keys(hash)) {
      if (key !== 'tz') throw new TemplateError(`unknown ${key} attribute of {{${name}}} (only tz= is supported)`);
      tz = hash[key];
    }
    // metadata-action's moment only prints an error and keeps the runner's zone (UTC on hosted runners): say so, and use UTC
    if (moment.tz.zone(tz) === null) {
      warn(`unknown time zone "${tz}" in {{${name}}}: UTC is used`);
      tz = 'UTC';
    }
    return formatDate(date, params[0], tz);
  };
}

function isDefaultBranch(run: Run): boolean {
  const branch = stripBranchRef(run.ref);
  if (branch.length === 0) return false;
  if (run.defaultBranch === branch) return true;
  // these events always run on the last commit of the default branch
  return /create/.test(run.eventName) || /discussion/.test(run.eventName) || /issues/.test(run.eventName) || /schedule/.test(run.eventName);
}

/** The global expressions of value/prefix/suffix/enable and labels/annotations. */
export function globalScope(run: Run, warn: (m: string) => void): Scope {
  const fn =
    (f: () => string): Helper =>
    () =>
      f();
  return {
    branch: fn(() => (isBranchRef(run.ref) ? stripBranchRef(run.ref) : '')),
    tag: fn(() => (isTagRef(run.ref) ? stripTagRef(run.ref) : '')),
    sha: fn(() => shortSha(run.sha, run.shortShaLength)),
    base_ref: fn(() => {
      const baseRef = run.payload['base_ref'];
      if (isTagRef(run.ref) && baseRef !== undefined && baseRef !== null) return String(baseRef).replace(/^refs\/heads\//g, '');
      const prBase = get(run.payload, 'pull_request', 'base', 'ref');
      if (isPrRef(run.ref) && prBase !== undefined && prBase !== null) return String(prBase);
      return '';
    }),
    is_default_branch: fn(() => String(isDefaultBranch(run))),
    is_not_default_branch: fn(() => String(!isDefaultBranch(run))),
    date: dateHelper('date', run.now, warn),
    commit_date: dateHelper('commit_date', run.commitDate, warn),
  };
}
