/** Files the repository or the build hand us are data: regular files inside their root, under a cap. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRegular, readOptional, readRegular } from '../../../src/untrusted/file.js';
import { isInside, pathInside } from '../../../src/untrusted/paths.js';

let root: string;
let outside: string;
beforeAll(() => {
  const top = mkdtempSync(path.join(os.tmpdir(), 'ip-untrusted-'));
  root = path.join(top, 'ws');
  outside = path.join(top, 'outside');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'pom.xml'), '<project/>');
  writeFileSync(path.join(root, 'big'), Buffer.alloc(2048, 1));
  writeFileSync(path.join(outside, 'secret'), 'token');
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  symlinkSync('/dev/zero', path.join(root, 'zero'));
  symlinkSync(path.join(root, 'fifo'), path.join(root, 'to-fifo'));
  symlinkSync(path.join(outside, 'secret'), path.join(root, 'out'));
  symlinkSync('pom.xml', path.join(root, 'in'));
  symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling'));
  symlinkSync(outside, path.join(root, 'target'));
});

describe('readRegular', () => {
  it.each([
    ['a FIFO (never opened to block)', 'fifo', /fifo is a FIFO: only regular files are read/],
    ['a link to /dev/zero', 'zero', /zero \(a link to \/dev\/zero\) lies outside/],
    ['a link to a FIFO', 'to-fifo', /to-fifo \(a link to .*\/fifo\) is a FIFO/],
    ['a link outside the root', 'out', /out \(a link to .*outside\/secret\) lies outside/],
    ['a link that leads nowhere', 'dangling', /dangling is a link that leads nowhere/],
    ['a file over the cap', 'big', /big is larger than the 1 KiB this action reads/],
    ['a folder', 'sub', /sub is a directory/],
  ])('refuses %s', (_what, name, message) => {
    expect(() => readRegular(path.join(root, name), { root, cap: 1024, name })).toThrow(message);
  });

  it('refuses a device even without a root to stay in', () => {
    expect(() => readRegular(path.join(root, 'zero'), { cap: 1024, name: 'zero' })).toThrow(/a character device: only regular files are read/);
  });

  it('reads a regular file, and one through a link that stays inside', () => {
    expect(readRegular(path.join(root, 'pom.xml'), { root, cap: 1024 }).toString()).toBe('<project/>');
    expect(readRegular(path.join(root, 'in'), { root, cap: 1024 }).toString()).toBe('<project/>');
    expect(readRegular(path.join(root, 'big'), { root, cap: 2048 }).length).toBe(2048);
  });

  it('readOptional: nothing there is undefined, a dangling link is refused', () => {
    expect(readOptional(path.join(root, 'missing'), { root, cap: 1024 })).toBeUndefined();
    expect(() => readOptional(path.join(root, 'dangling'), { root, cap: 1024 })).toThrow(/leads nowhere/);
  });

  it('checkRegular takes a regular file inside without reading it, and refuses the rest', () => {
    expect(() => checkRegular(path.join(root, 'big'), { root })).not.toThrow();
    expect(() => checkRegular(path.join(root, 'fifo'), { root })).toThrow(/a FIFO/);
    expect(() => checkRegular(path.join(root, 'out'), { root })).toThrow(/lies outside/);
    expect(() => checkRegular(path.join(root, 'big'), { root, cap: 10 })).toThrow(/larger than the 10 bytes/);
  });
});

describe('paths written down by a build or a cache stay inside', () => {
  it.each([
    ['sub/app.jar', undefined],
    ['sub/new/deeper/app.jar', undefined],
    ['target/app.jar', /the jar "target\/app.jar" leads outside .* \(through a link\)/],
    ['target/../../x', /the jar "target\/..\/..\/x" leads outside/],
    ['../x', /the jar "..\/x" leads outside/],
    ['/etc/passwd', /the jar "\/etc\/passwd" is an absolute path/],
  ])('%s', (rel, refused) => {
    if (refused) expect(() => pathInside(root, rel, 'the jar')).toThrow(refused);
    else expect(pathInside(root, rel, 'the jar')).toBe(path.join(root, rel));
  });

  it('a link on the way out (target -> outside) is outside; a dangling link lies nowhere', () => {
    expect(isInside(root, path.join(root, 'target', 'app.jar'))).toBe(false);
    expect(isInside(root, path.join(root, 'dangling'))).toBe(false);
    expect(isInside(root, path.join(root, 'in'))).toBe(true);
  });
});
