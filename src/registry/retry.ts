import { dockerError } from './docker-error.js';

export type FailureKind = 'auth' | 'transient' | 'fatal';

const AUTH = [/\b401\b/, /\b403\b/, /unauthorized/i, /denied/i, /incorrect username or password/i, /authentication required/i, /name unknown/i, /forbidden/i];
const TRANSIENT = [
  /\b5\d\d\b/,
  /\b429\b/,
  /too many requests/i,
  /toomanyrequests/i,
  /connection (reset|refused)/i,
  /ECONNRESET|ECONNREFUSED|ETIMEDOUT/,
  /i\/o timeout/i,
  /timed? ?out/i,
  /TLS handshake timeout/i,
  /unexpected EOF|: EOF\b/i,
  /service unavailable|bad gateway|internal server error/i,
  /broken pipe/i,
];

/** Decides from a registry client's output whether trying again can help. Auth failures never are. */
export function classifyFailure(output: string): FailureKind {
  if (AUTH.some((re) => re.test(output))) return 'auth';
  if (TRANSIENT.some((re) => re.test(output))) return 'transient';
  return 'fatal';
}

/** Exponential backoff with full jitter, capped; `random` is injected for tests. */
export function backoffMs(attempt: number, random: () => number, baseMs = 2000, capMs = 15000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Seconds from a Retry-After header value, when the output carries one. */
export function retryAfterMs(output: string): number | undefined {
  const m = /retry-after:?\s*(\d+)/i.exec(output);
  return m ? Number(m[1]) * 1000 : undefined;
}

export interface RetryPolicy {
  retries: number;
  /** No new attempt starts after this much time has passed since the first. */
  totalMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  onRetry: (attempt: number, reason: string, waitMs: number) => void;
}

export interface Attempt {
  ok: boolean;
  output: string;
}

/** Runs `op` until it succeeds, fails for good, or the policy's bounds are reached. Returns the last attempt. */
export async function withRetry(op: () => Promise<Attempt>, policy: RetryPolicy): Promise<Attempt & { kind?: FailureKind; attempts: number }> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    const res = await op();
    if (res.ok) return { ...res, attempts: attempt + 1 };
    const kind = classifyFailure(res.output);
    const wait = Math.max(retryAfterMs(res.output) ?? 0, backoffMs(attempt, policy.random));
    if (kind !== 'transient' || attempt >= policy.retries || Date.now() - start + wait > policy.totalMs) {
      return { ...res, kind, attempts: attempt + 1 };
    }
    const reason = dockerError(res.output) ?? 'transient failure';
    policy.onRetry(attempt + 1, reason, wait);
    await policy.sleep(wait);
  }
}
