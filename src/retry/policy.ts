import type { RetryPolicy } from './retry.js';

export const DEFAULT_RETRY_TOTAL_MS = 3 * 60 * 1000;

export function defaultPolicy(retries: number, onRetry: RetryPolicy['onRetry']): RetryPolicy {
  return {
    retries,
    totalMs: DEFAULT_RETRY_TOTAL_MS,
    random: Math.random,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    onRetry,
  };
}
