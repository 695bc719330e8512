import { dockerError } from '../engine/docker-error.js';
import { classifyFailure, retryAfterInOutput, type FailureKind } from './classify.js';

/** Exponential backoff with full jitter, capped; `random` is injected for tests. */
export function backoffMs(attempt: number, random: () => number, baseMs = 2000, capMs = 15000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryPolicy {
  retries: number;
  /** No new attempt starts after this much time has passed since the first. */
  totalMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Each retry, with the cause and what it is about (a registry host, `GitHub API`): logged and counted. */
  onRetry: (attempt: number, reason: string, waitMs: number, scope?: string) => void;
  /** What the calls are about, passed to onRetry: a registry host, or `GitHub API`. */
  scope?: string;
}

/** Why one attempt failed, as the loop reads it: whether another try can help, in words, and any wait asked for. */
export interface Failure {
  kind: FailureKind;
  reason: string;
  retryAfterMs?: number;
}

/** One attempt's outcome: a value, or a failure (with the value or error the caller wants back if it is the last). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure; value?: T; error?: unknown };

/**
 * The one retry loop. Runs `op` again only on a transient failure, never on auth or fatal ones, within the policy's
 * count and total time, waiting the backoff or the Retry-After asked for, whichever is longer. Returns the last
 * outcome and how many attempts it took; what `op` throws ends the loop at once.
 */
export async function retry<T>(op: (attempt: number) => Promise<Outcome<T>>, policy: RetryPolicy, onRetry?: (failure: Failure, attempt: number, waitMs: number) => void): Promise<Outcome<T> & { attempts: number }> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    const out = await op(attempt);
    if (out.ok) return { ...out, attempts: attempt + 1 };
    const wait = Math.max(out.failure.retryAfterMs ?? 0, backoffMs(attempt, policy.random));
    if (out.failure.kind !== 'transient' || attempt >= policy.retries || Date.now() - start + wait > policy.totalMs) return { ...out, attempts: attempt + 1 };
    onRetry?.(out.failure, attempt + 1, wait);
    policy.onRetry(attempt + 1, out.failure.reason, wait, policy.scope);
    await policy.sleep(wait);
  }
}

/** One run of a tool: whether it succeeded, and its output (the failure is classified from it). */
export interface Attempt {
  ok: boolean;
  output: string;
}

/** `retry` for a tool (docker push, login, buildx): the failure is classified from its error line. Returns the last attempt. */
export async function withRetry(op: () => Promise<Attempt>, policy: RetryPolicy): Promise<Attempt & { kind?: FailureKind; attempts: number }> {
  const res = await retry<Attempt>(async () => {
    const a = await op();
    if (a.ok) return { ok: true, value: a };
    return { ok: false, value: a, failure: { kind: classifyFailure(a.output), reason: dockerError(a.output) ?? 'transient failure', retryAfterMs: retryAfterInOutput(a.output) } };
  }, policy);
  return res.ok ? { ...res.value, attempts: res.attempts } : { ...res.value!, kind: res.failure.kind, attempts: res.attempts };
}
