import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDir, withEngineTrust } from '../../support/engine-trust.ts';

// The lock the e2e files take turns at the engine's trust store with, in a state folder of its own.

let before: string | undefined;
beforeEach(() => {
  before = process.env.CI_STATE_DIR;
  process.env.CI_STATE_DIR = mkdtempSync(path.join(os.tmpdir(), 'ip-lock-test-'));
});
afterEach(() => {
  if (before === undefined) delete process.env.CI_STATE_DIR;
  else process.env.CI_STATE_DIR = before;
});

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('withEngineTrust', () => {
  it('runs one holder at a time, and each gets its own result', async () => {
    const held: string[] = [];
    const holder = (name: string) =>
      withEngineTrust(async () => {
        held.push(`${name} in`);
        await pause(300);
        held.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([holder('a'), holder('b'), holder('c')])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < held.length; i += 2) expect(held[i + 1]).toBe(held[i].replace(' in', ' out'));
    expect(existsSync(lockDir())).toBe(false);
  });

  it('lets go when what it guards throws', async () => {
    await expect(withEngineTrust(async () => Promise.reject(new Error('the run failed')))).rejects.toThrow('the run failed');
    expect(existsSync(lockDir())).toBe(false);
    expect(await withEngineTrust(async () => 'next')).toBe('next');
  });

  it('takes over the lock of a process that is gone, and waits for one that lives', async () => {
    const dead = spawnSync('true').pid!;
    mkdirSync(lockDir());
    writeFileSync(path.join(lockDir(), 'pid'), String(dead));
    expect(await withEngineTrust(async () => 'taken over')).toBe('taken over');

    mkdirSync(lockDir());
    writeFileSync(path.join(lockDir(), 'pid'), String(process.pid));
    let got = false;
    const waiting = withEngineTrust(async () => (got = true));
    await pause(600);
    expect(got).toBe(false);
    rmSync(lockDir(), { recursive: true, force: true });
    await waiting;
    expect(got).toBe(true);
  });
});
