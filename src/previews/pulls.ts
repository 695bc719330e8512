/** What the GitHub REST API says about a pull request: its commits, and whether and since when it is closed. */
import type { RunnerContext } from '../context.js';
import { errorMessage } from '../errors.js';
import type { RetryPolicy } from '../retry/retry.js';
import { callApi } from './api.js';

export interface PullsApi {
  ctx: Pick<RunnerContext, 'apiUrl' | 'repository'>;
  token: string;
  policy: RetryPolicy;
}

export interface PullState {
  number: number;
  closedAt?: Date;
  headSha?: string;
}

const SHA = /^[0-9a-f]{40,64}$/;

function get(api: PullsApi, route: string): Promise<{ status: number; body: unknown }> {
  const headers = { authorization: `Bearer ${api.token}`, accept: 'application/vnd.github+json' };
  return callApi({ base: api.ctx.apiUrl, method: 'GET', route: `/repos/${api.ctx.repository}${route}`, headers, expect: [404], policy: api.policy, scope: 'GitHub API' });
}

/** The pull request's commits (the API lists at most 250); [] with a warning when the API cannot tell. */
export async function pullCommits(api: PullsApi, number: number, warn: (m: string) => void): Promise<string[]> {
  const shas: string[] = [];
  try {
    for (let page = 1; page <= 3; page++) {
      const res = await get(api, `/pulls/${number}/commits?per_page=100&page=${page}`);
      const list = Array.isArray(res.body) ? (res.body as { sha?: unknown }[]) : [];
      shas.push(...list.map((c) => c.sha).filter((s): s is string => typeof s === 'string' && SHA.test(s)));
      if (list.length < 100) break;
    }
  } catch (e) {
    warn(`The commits of #${number} could not be listed (${errorMessage(e)}): only the sha tags of its head commit are removed.`);
  }
  return shas;
}

/** The pull request's state; undefined when the API does not know it (404). */
export async function pullState(api: PullsApi, number: number): Promise<PullState | undefined> {
  const res = await get(api, `/pulls/${number}`);
  if (res.status === 404) return undefined;
  const pr = (res.body ?? {}) as { state?: unknown; closed_at?: unknown; head?: { sha?: unknown } };
  const closed = pr.state === 'closed' && typeof pr.closed_at === 'string' && !Number.isNaN(Date.parse(pr.closed_at));
  const sha = (v: unknown): string | undefined => (typeof v === 'string' && SHA.test(v) ? v : undefined);
  return { number, closedAt: closed ? new Date(pr.closed_at as string) : undefined, headSha: sha(pr.head?.sha) };
}
