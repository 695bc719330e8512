import { withRetry, type RetryPolicy } from './retry.js';

/** Why a fetch threw, in words the retry classification reads: `fetch failed: ECONNRESET`, `…: timed out`. Pure. */
export function fetchFailure(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `${e.message} (timed out)`;
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail ? `${e.message}: ${detail}` : e.message;
}

/** An answer worth another try: 5xx, and 429 (its Retry-After is honoured). Pure. */
export function transientStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * One HTTP call with the run's retry policy: a connection refused, reset or cut (also mid-body: the body is read
 * inside the attempt), a time-out, 5xx and 429 are tried again, bounded by the policy; any other answer, 401/403
 * included, is returned at once. Each attempt has its own time-out. Throws what the last attempt threw.
 */
export async function fetchWithRetry(url: string, init: RequestInit, timeoutMs: number, policy: RetryPolicy): Promise<Response> {
  let last: Response | undefined;
  let error: unknown;
  await withRetry(async () => {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const body = res.status === 204 || res.status === 304 ? null : Buffer.from(await res.arrayBuffer());
      [last, error] = [new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers }), undefined];
      if (!transientStatus(res.status)) return { ok: true, output: '' };
      const retryAfter = res.headers.get('retry-after');
      // the last line is the cause the retry log shows
      return { ok: false, output: `${retryAfter && /^\d+$/.test(retryAfter) ? `Retry-After: ${retryAfter}\n` : ''}HTTP ${res.status} ${res.statusText}`.trim() };
    } catch (e) {
      [last, error] = [undefined, e];
      return { ok: false, output: fetchFailure(e) };
    }
  }, policy);
  if (last) return last;
  throw error instanceof Error ? error : new Error(String(error));
}
