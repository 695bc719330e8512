import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/registry/errors.js';
import type { FailureKind } from '../../../src/retry/classify.js';
import { retrying } from '../../../src/registry/retry.js';
import type { RetryPolicy } from '../../../src/retry/retry.js';

function policy(retries: number, totalMs = 60_000): RetryPolicy & { waits: number[]; hooks: [number, string, number][] } {
  const waits: number[] = [];
  const hooks: [number, string, number][] = [];
  return { retries, totalMs, random: () => 0, sleep: async (ms) => void waits.push(ms), onRetry: (a, r, w) => void hooks.push([a, r, w]), waits, hooks };
}

/** An operation that fails with each kind in turn, then succeeds. */
function script(kinds: (FailureKind | 'ok' | Error)[], retryAfterMs?: number) {
  const calls: number[] = [];
  const op = async (attempt: number): Promise<string> => {
    calls.push(attempt);
    const k = kinds[calls.length - 1];
    if (k === 'ok') return 'done';
    if (k instanceof Error) throw k;
    throw new RegistryError(`failure ${calls.length} (${k})`, k, k === 'auth' ? 401 : 503, [], retryAfterMs);
  };
  return { op, calls };
}

describe('retrying', () => {
  it('rides out transient failures, with the backoff and the hooks', async () => {
    const p = policy(5);
    const log: string[] = [];
    const { op, calls } = script(['transient', 'transient', 'ok']);
    expect(await retrying(op, p, (m) => log.push(m))).toBe('done');
    expect(calls).toEqual([0, 1, 2]);
    expect(p.waits).toEqual([1000, 2000]);
    expect(p.hooks.map(([a]) => a)).toEqual([1, 2]);
    expect(log[0]).toBe('failure 1 (transient); retry 1 of 5 in 1.0 s');
  });

  it('waits as long as Retry-After asks when that is longer than the backoff', async () => {
    const p = policy(5);
    const { op } = script(['transient', 'ok'], 7000);
    await retrying(op, p, () => undefined);
    expect(p.waits).toEqual([7000]);
  });

  it.each([
    ['auth', ['transient', 'auth', 'ok'], 2, 1],
    ['fatal', ['transient', 'transient', 'fatal', 'ok'], 3, 2],
    ['a plain Error', ['transient', new Error('bug'), 'ok'], 2, 1],
  ] as const)('stops at once on %s in the middle of a sequence', async (_, kinds, calls, retries) => {
    const p = policy(5);
    const s = script([...kinds]);
    await expect(retrying(s.op, p, () => undefined)).rejects.toThrow();
    expect(s.calls).toHaveLength(calls);
    expect(p.waits).toHaveLength(retries);
  });

  it('gives up after the policy count, saying how many attempts were made', async () => {
    const p = policy(2);
    const s = script(['transient', 'transient', 'transient', 'ok']);
    const err = (await retrying(s.op, p, () => undefined).catch((e: unknown) => e)) as RegistryError;
    expect(err.message).toBe('failure 3 (transient) (gave up after 3 attempt(s))');
    expect(err.kind).toBe('transient');
    expect(s.calls).toHaveLength(3);
  });

  it('starts no attempt past the total time', async () => {
    const p = policy(10, 1500);
    const s = script(['transient', 'transient', 'ok']);
    await expect(retrying(s.op, p, () => undefined)).rejects.toThrow(/gave up after 2 attempt/);
    expect(p.waits).toEqual([1000]);
  });
});
