/** The Dockerfile is read once, as data: a regular file of at most 1 MiB in the workspace. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDockerfileText } from '../../../src/dockerfile/file.js';
import { LIMITS } from '../../../src/untrusted/limits.js';

const ws = mkdtempSync(path.join(os.tmpdir(), 'ip-dockerfile-'));
const at = (name: string, make: (f: string) => void): string => {
  const f = path.join(ws, name);
  make(f);
  return f;
};
const read = (file: string, more: { allowOutsideWorkspace?: boolean; dryRun?: boolean } = {}): string => readDockerfileText({ file, allowOutsideWorkspace: false, dryRun: false, ...more }, ws);

describe('readDockerfileText', () => {
  it('reads a regular Dockerfile', () => expect(read(at('Dockerfile', (f) => writeFileSync(f, 'FROM x\n')))).toBe('FROM x\n'));

  it.each([
    ['over 1 MiB', 'big.Dockerfile', (f: string) => writeFileSync(f, Buffer.alloc(LIMITS.dockerfileBytes + 1, 0x23)), /Input 'file': big.Dockerfile is larger than the 1 MiB .* point `file` at a regular Dockerfile/],
    ['a FIFO', 'fifo.Dockerfile', (f: string) => execFileSync('mkfifo', [f]), /fifo.Dockerfile is a FIFO/],
    ['a link to /dev/zero', 'zero.Dockerfile', (f: string) => symlinkSync('/dev/zero', f), /zero.Dockerfile \(a link to \/dev\/zero\) lies outside/],
    ['a link out of the workspace', 'out.Dockerfile', (f: string) => symlinkSync('/etc/hostname', f), /lies outside/],
  ])('refuses a Dockerfile %s', (_what, name, make, message) => expect(() => read(at(name, make))).toThrow(message));

  it('with allow-outside-workspace a link out is read, a device still is not', () => {
    expect(() => read(path.join(ws, 'out.Dockerfile'), { allowOutsideWorkspace: true })).not.toThrow();
    expect(() => read(path.join(ws, 'zero.Dockerfile'), { allowOutsideWorkspace: true })).toThrow(/a character device/);
  });
});
