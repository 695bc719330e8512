import { backoffMs, type RetryPolicy } from '../retry/retry.js';
import { RegistryError } from './errors.js';

/**
 * Runs `op` again on transient failures only, within the policy's count and total time: the same budget
 * as the docker path (backoff with jitter, Retry-After honoured). A failure of kind auth or fatal, or any
 * error that is not a RegistryError, ends the sequence at once.
 */
export async function retrying<T>(op: (attempt: number) => Promise<T>, policy: RetryPolicy, onRetry: (message: string) => void): Promise<T> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      if (!(e instanceof RegistryError) || e.kind !== 'transient') throw e;
      const wait = Math.max(e.retryAfterMs ?? 0, backoffMs(attempt, policy.random));
      if (attempt >= policy.retries || Date.now() - start + wait > policy.totalMs) {
        throw new RegistryError(`${e.message} (gave up after ${attempt + 1} attempt(s))`, e.kind, e.status, e.codes);
      }
      onRetry(`${e.message}; retry ${attempt + 1} of ${policy.retries} in ${(wait / 1000).toFixed(1)} s`);
      policy.onRetry(attempt + 1, e.message, wait, policy.scope);
      await policy.sleep(wait);
    }
  }
}
