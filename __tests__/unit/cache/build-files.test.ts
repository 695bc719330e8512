/** The build files hashed for the dependency cache key are read as data: regular, inside, capped. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashBuildFiles } from '../../../src/cache/caches.js';
import { LIMITS } from '../../../src/untrusted/limits.js';

function project(files: Record<string, string | Buffer | ((f: string) => void)>): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-buildfiles-')), 'app');
  for (const [name, c] of Object.entries(files)) {
    const f = path.join(dir, name);
    mkdirSync(path.dirname(f), { recursive: true });
    if (typeof c === 'function') c(f);
    else writeFileSync(f, c);
  }
  return dir;
}

describe('hashBuildFiles', () => {
  it('hashes regular build files, and one linked inside the tree', async () => {
    const plain = await hashBuildFiles(project({ 'pom.xml': '<project/>', 'sub/pom.xml': '<project>sub</project>' }), 'maven');
    const linked = await hashBuildFiles(project({ 'pom.xml': '<project/>', 'real.xml': '<project>sub</project>', 'sub/pom.xml': (f) => symlinkSync('../real.xml', f) }), 'maven');
    expect(plain).toMatch(/^[0-9a-f]{32}$/);
    expect(linked).toBe(plain);
  });

  it.each([
    ['sub/pom.xml -> /dev/zero', { 'pom.xml': '<project/>', 'sub/pom.xml': (f: string) => symlinkSync('/dev/zero', f) }, /sub\/pom.xml \(a link to \/dev\/zero\) lies outside .*make each a regular file of at most 4 MiB/],
    ['sub/pom.xml -> a file outside the project', { 'pom.xml': '<project/>', 'sub/pom.xml': (f: string) => symlinkSync('/etc/passwd', f) }, /sub\/pom.xml \(a link to \/etc\/passwd\) lies outside/],
    ['a build file over 4 MiB', { 'pom.xml': Buffer.alloc(LIMITS.buildFileBytes + 1, 0x20) }, /pom.xml is larger than the 4 MiB/],
    [
      'build files over 32 MiB together',
      Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`m${i}/pom.xml`, Buffer.alloc(LIMITS.buildFileBytes - 10, 0x20)])),
      /m8\/pom.xml is larger than the \d+ bytes/,
    ],
  ])('refuses %s, naming it', async (_what, files, message) => {
    await expect(hashBuildFiles(project(files), 'maven')).rejects.toThrow(message);
  });
});
