import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listContext, readContextFile } from '../../../src/dockerfile/context.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ip-ctx-'));
  for (const f of ['target/app.jar', 'target/classes/A.class', 'target/lib/x.jar', 'conf/a.yml', 'conf/skip.bak', '.git/HEAD', 'Dockerfile', 'x.jar']) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), f);
  }
  writeFileSync(path.join(dir, '.dockerignore'), '**/*.bak\n.git\n');
});

describe('listContext walks only what the COPY sources reach, minus .dockerignore', () => {
  it.each([
    [['target/app.jar'], ['target', 'target/app.jar']],
    [['target/*.jar'], ['target', 'target/app.jar']],
    [['*.jar'], ['x.jar']],
    [['conf'], ['conf', 'conf/a.yml']],
    [['./conf/'], ['conf', 'conf/a.yml']],
    [['target/*/x.jar'], ['target', 'target/classes', 'target/lib', 'target/lib/x.jar']],
    [['missing.jar'], []],
  ])('%j', (sources, want) => expect(listContext(dir, sources).map((f) => f.path).sort()).toEqual(want));

  it('sees the whole context for ".", without what is ignored', () => {
    const all = listContext(dir, ['.']).map((f) => f.path);
    expect(all).toContain('target/classes/A.class');
    expect(all.filter((p) => p.startsWith('.git') || p.endsWith('.bak'))).toEqual([]);
  });

  it('refuses to read outside the context', () => {
    expect(() => readContextFile(dir, '../etc/passwd')).toThrow(/outside the build context/);
    expect(readContextFile(dir, 'x.jar').toString()).toBe('x.jar');
  });
});
