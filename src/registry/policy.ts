import type { RetryPolicy } from './retry.js';

export const DEFAULT_RETRIES = 4;
export const DEFAULT_RETRY_TOTAL_MS = 3 * 60 * 1000;

export function defaultPolicy(onRetry: RetryPolicy['onRetry']): RetryPolicy {
  return {
    retries: DEFAULT_RETRIES,
    totalMs: DEFAULT_RETRY_TOTAL_MS,
    random: Math.random,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    onRetry,
  };
}
