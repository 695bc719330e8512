/** A JSON call to a REST API (GitHub's, Docker Hub's) with the run's retry policy: transient faults only, never 401/403. */
import { fetchWithRetry } from '../retry/fetch.js';
import type { RetryPolicy } from '../retry/retry.js';

const API_TIMEOUT_MS = 15 * 1000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiCall {
  base: string;
  method: 'GET' | 'POST' | 'DELETE';
  route: string;
  headers: Record<string, string>;
  body?: unknown;
  /** Statuses that are answers, not failures (404 for a version already gone). */
  expect?: readonly number[];
  policy: RetryPolicy;
  scope: string;
}

/** The answer's status and JSON body (undefined for 204 and empty bodies); any other non-2xx is an ApiError. */
export async function callApi(c: ApiCall): Promise<{ status: number; body: unknown }> {
  const res = await fetchWithRetry(
    `${c.base.replace(/\/$/, '')}${c.route}`,
    {
      method: c.method,
      headers: { accept: 'application/json', 'user-agent': 'image-publish', ...(c.body === undefined ? {} : { 'content-type': 'application/json' }), ...c.headers },
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    },
    API_TIMEOUT_MS,
    { ...c.policy, scope: c.scope },
  );
  if (!res.ok && !c.expect?.includes(res.status)) throw new ApiError(res.status, `${c.method} ${c.route} answered HTTP ${res.status}`);
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, `${c.method} ${c.route}: the answer is not JSON`);
  }
  return { status: res.status, body };
}
