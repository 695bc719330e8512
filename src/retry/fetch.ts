import { classifyMessage, classifyStatus, retryAfter } from './classify.js';
import { retry, type RetryPolicy } from './retry.js';

/** Why a fetch threw, in words the retry classification reads: `fetch failed: ECONNRESET`, `…: timed out`. Pure. */
export function fetchFailure(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `${e.message} (timed out)`;
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail ? `${e.message}: ${detail}` : e.message;
}

/**
 * One HTTP call with the run's retry policy: a connection refused, reset or cut (also mid-body: the body is read
 * inside the attempt), a time-out, 5xx, 408 and 429 are tried again, bounded by the policy, Retry-After honoured;
 * any other answer, 401/403 included, is returned at once. Each attempt has its own time-out. Throws what the last
 * attempt threw.
 */
export async function fetchWithRetry(url: string, init: RequestInit, timeoutMs: number, policy: RetryPolicy): Promise<Response> {
  const res = await retry<Response>(async () => {
    try {
      const r = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const body = r.status === 204 || r.status === 304 ? null : Buffer.from(await r.arrayBuffer());
      const value = new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers });
      const kind = classifyStatus(r.status);
      if (kind !== 'transient') return { ok: true, value };
      return { ok: false, value, failure: { kind, reason: `HTTP ${r.status} ${r.statusText}`.trim(), retryAfterMs: retryAfter(r.headers.get('retry-after'), Date.now()) } };
    } catch (e) {
      const reason = fetchFailure(e);
      return { ok: false, error: e, failure: { kind: classifyMessage(reason), reason } };
    }
  }, policy);
  if (res.ok || res.value) return res.value!;
  throw res.error instanceof Error ? res.error : new Error(String(res.error));
}
