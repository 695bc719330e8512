import { retry, type RetryPolicy } from '../retry/retry.js';
import { RegistryError } from './errors.js';

/**
 * A registry call through the one retry loop: a RegistryError's kind says whether it is tried again (transient
 * only), its Retry-After is honoured. Any other error ends the sequence at once, as does an auth or fatal failure;
 * a transient one that outlasts the policy says how many attempts were made.
 */
export async function retrying<T>(op: (attempt: number) => Promise<T>, policy: RetryPolicy, onRetry: (message: string) => void): Promise<T> {
  const res = await retry<T>(
    async (attempt) => {
      try {
        return { ok: true, value: await op(attempt) };
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        return { ok: false, error: e, failure: { kind: e.kind, reason: e.message, retryAfterMs: e.retryAfterMs } };
      }
    },
    policy,
    (f, attempt, wait) => onRetry(`${f.reason}; retry ${attempt} of ${policy.retries} in ${(wait / 1000).toFixed(1)} s`),
  );
  if (res.ok) return res.value;
  const e = res.error as RegistryError;
  if (e.kind !== 'transient') throw e;
  throw new RegistryError(`${e.message} (gave up after ${res.attempts} attempt(s))`, e.kind, e.status, e.codes);
}
