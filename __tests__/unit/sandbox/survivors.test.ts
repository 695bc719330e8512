import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markedProcesses } from '../../../src/sandbox/survivors.js';
import { survivorsMessage } from '../../../src/sandbox/run.js';

const result = { code: 0, stdout: '', stderr: '', tail: [], timedOut: false, durationMs: 1 };

describe('what an unwalled build left behind', () => {
  it('finds processes by the marker in their environment, exactly', () => {
    const proc = mkdtempSync(path.join(os.tmpdir(), 'ip-proc-'));
    const pid = (n: number, env: string): void => {
      mkdirSync(path.join(proc, String(n)));
      writeFileSync(path.join(proc, String(n), 'environ'), env);
    };
    pid(10, 'PATH=/bin\0IMAGE_PUBLISH_BUILD=abc\0');
    pid(11, 'IMAGE_PUBLISH_BUILD=abc\0HOME=/h\0');
    pid(12, 'IMAGE_PUBLISH_BUILD=abcd\0');
    pid(13, 'X_IMAGE_PUBLISH_BUILD=abc\0');
    mkdirSync(path.join(proc, 'self'));
    expect(markedProcesses('IMAGE_PUBLISH_BUILD', 'abc', proc).sort()).toEqual([10, 11]);
  });

  it.each([
    [undefined, undefined],
    [{ killed: 0, left: [] }, undefined],
    [{ killed: 1, left: [] }, '1 process of the build outlived it and was killed. Without build isolation nothing stops a build from leaving processes behind; see build-isolation.'],
    [{ killed: 3, left: [77] }, '3 processes of the build outlived it and were killed; 1 could not be killed (pids 77). Without build isolation nothing stops a build from leaving processes behind; see build-isolation.'],
  ])('%j', (survivors, message) => expect(survivorsMessage({ ...result, survivors })).toBe(message));
});
