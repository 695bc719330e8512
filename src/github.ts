import type { RunnerContext } from './context.js';
import { execute } from './exec.js';
import { fetchWithRetry } from './retry/fetch.js';
import type { RetryPolicy } from './retry/retry.js';
import { payloadCommitDate, type RepoInfo } from './tags/index.js';

const API_TIMEOUT_MS = 10 * 1000;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Repository facts from the event payload: the fallback when the REST API cannot be reached. Pure. */
export function repoFromPayload(payload: Record<string, unknown>): RepoInfo {
  const r = (payload.repository ?? {}) as Record<string, unknown>;
  const license = (r.license ?? {}) as Record<string, unknown>;
  return {
    name: str(r.name),
    fullName: str(r.full_name),
    description: str(r.description),
    htmlUrl: str(r.html_url),
    license: str(license.spdx_id),
    defaultBranch: str(r.default_branch),
  };
}

/** A GET of the REST API with the run's retry policy (transient faults only; a 401/403 answers at once). */
function apiGet(ctx: RunnerContext, route: string, token: string, policy: RetryPolicy): Promise<Response> {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'user-agent': 'image-publish' };
  return fetchWithRetry(`${ctx.apiUrl.replace(/\/$/, '')}${route}`, { headers }, API_TIMEOUT_MS, { ...policy, scope: 'GitHub API' });
}

/** GET /repos/{owner}/{repo}, bounded in time and retried on transient faults; any failure means the payload's facts are used. */
export async function fetchRepo(ctx: RunnerContext, token: string, log: (m: string) => void, policy: RetryPolicy): Promise<RepoInfo> {
  const fallback = repoFromPayload(ctx.payload);
  if (!ctx.repository || !token) return fallback;
  try {
    const res = await apiGet(ctx, `/repos/${ctx.repository}`, token, policy);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const api = repoFromPayload({ repository: await res.json() });
    return { ...fallback, ...Object.fromEntries(Object.entries(api).filter(([, v]) => v !== undefined)) };
  } catch (e) {
    log(`Repository details from the API were not available (${e instanceof Error ? e.message : String(e)}); using the event payload.`);
    return fallback;
  }
}

export type CommitDateSource = 'the event payload' | 'the REST API' | 'git';

/** GET /repos/{owner}/{repo}/commits/{sha}: the committer date, as metadata-action reads it; undefined on any failure. */
async function apiCommitDate(ctx: RunnerContext, sha: string, token: string, log: (m: string) => void, policy: RetryPolicy): Promise<Date | undefined> {
  if (!ctx.repository || !token) return undefined;
  try {
    const res = await apiGet(ctx, `/repos/${ctx.repository}/commits/${encodeURIComponent(sha)}`, token, policy);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { commit?: { committer?: { date?: unknown } } };
    const date = str(body.commit?.committer?.date);
    if (!date || Number.isNaN(Date.parse(date))) throw new Error('the answer has no committer date');
    return new Date(date);
  } catch (e) {
    log(`The commit time from the REST API was not available (${e instanceof Error ? e.message : String(e)}).`);
    return undefined;
  }
}

async function gitCommitDate(workspace: string, sha: string): Promise<Date | undefined> {
  const r = await execute('git', ['-C', workspace, 'log', '-1', '--format=%cI', sha], { timeoutMs: 10 * 1000 }).catch(() => undefined);
  const out = r?.code === 0 ? r.stdout.trim() : '';
  return out && !Number.isNaN(Date.parse(out)) ? new Date(out) : undefined;
}

/**
 * The time of commit `sha` (the one the tags and labels name), in metadata-action's order: the payload's `commits[]`
 * entry, then `head_commit` when its id matches, then the REST API's committer date with the token; then, beyond
 * metadata-action (which takes the wall clock there), git. Undefined when none knows it: the tags then use now.
 */
export async function commitDate(ctx: RunnerContext, sha: string, token: string, log: (m: string) => void, policy: RetryPolicy): Promise<{ date: Date; source: CommitDateSource } | undefined> {
  if (!sha) return undefined;
  const fromPayload = payloadCommitDate(ctx.payload, sha);
  if (fromPayload) return { date: fromPayload, source: 'the event payload' };
  // it goes into a URL and git's argv: only an object id may
  if (!/^[0-9a-f]{40,64}$/.test(sha)) return undefined;
  const fromApi = await apiCommitDate(ctx, sha, token, log, policy);
  if (fromApi) return { date: fromApi, source: 'the REST API' };
  const fromGit = await gitCommitDate(ctx.workspace, sha);
  return fromGit ? { date: fromGit, source: 'git' } : undefined;
}

/** A pull request from another repository: GitHub gives its workflows no secrets, so nothing can be pushed. Pure. */
export function forkPullRequest(eventName: string, payload: Record<string, unknown>): string | undefined {
  if (eventName !== 'pull_request') return undefined;
  const pr = (payload.pull_request ?? {}) as { head?: { repo?: { full_name?: string } | null }; base?: { repo?: { full_name?: string } } };
  const head = pr.head?.repo?.full_name;
  const base = pr.base?.repo?.full_name;
  if (!pr.head) return undefined;
  if (!head) return 'a deleted fork';
  return base && head !== base ? head : undefined;
}

export interface PullRequestFacts {
  number: number;
  headSha?: string;
  closed: boolean;
}

/** The pull request this event is about, if any. Pure. */
export function pullRequest(eventName: string, payload: Record<string, unknown>): PullRequestFacts | undefined {
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') return undefined;
  const pr = (payload.pull_request ?? {}) as { number?: number; head?: { sha?: string }; state?: string };
  const number = typeof payload.number === 'number' ? payload.number : pr.number;
  if (typeof number !== 'number') return undefined;
  return { number, headSha: pr.head?.sha, closed: payload.action === 'closed' || pr.state === 'closed' };
}

/**
 * pull_request_target runs with the base repository's secrets and cache scope. When the workspace holds another
 * commit than the base (a checkout of the PR's head), that code is not trusted with them. Pure.
 */
export function untrustedCheckout(eventName: string, baseSha: string, head: string | undefined): string | undefined {
  if (eventName !== 'pull_request_target') return undefined;
  if (!head) return 'the workspace HEAD could not be read, so it may not be the base commit';
  return head === baseSha ? undefined : `the workspace holds ${head.slice(0, 12)}, not the base commit ${baseSha.slice(0, 12) || '(unknown)'}`;
}

/** The commit checked out in the workspace, bounded in time; undefined when git cannot tell. */
export async function checkedOutHead(workspace: string): Promise<string | undefined> {
  const r = await execute('git', ['-C', workspace, 'rev-parse', '--verify', 'HEAD'], { timeoutMs: 10 * 1000 }).catch(() => undefined);
  return r?.code === 0 ? r.stdout.trim() : undefined;
}

/** What the event means for this run, worked out once at the top and passed down. */
export interface EventFacts {
  /** The head repository of a pull request from a fork. */
  fork?: string;
  pr?: PullRequestFacts;
  /** Why the checked-out code may not get credentials, pushes or caches (pull_request_target only). */
  untrustedCheckout?: string;
}

export async function eventFacts(ctx: RunnerContext): Promise<EventFacts> {
  const untrusted = ctx.eventName === 'pull_request_target' ? untrustedCheckout(ctx.eventName, ctx.sha, await checkedOutHead(ctx.workspace)) : undefined;
  return { fork: forkPullRequest(ctx.eventName, ctx.payload), pr: pullRequest(ctx.eventName, ctx.payload), untrustedCheckout: untrusted };
}
