import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listContext, openContext, readContextFile } from '../../../src/dockerfile/context.js';
import { LIMITS } from '../../../src/untrusted/limits.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-ctx-'));
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), content);
  }
  return dir;
}

const list = (dir: string, sources: string[], dockerfile = 'Dockerfile'): string[] => listContext(openContext(dir, path.join(dir, dockerfile)), sources).map((f) => f.path);

let dir: string;
beforeAll(() => {
  const files = ['target/app.jar', 'target/classes/A.class', 'target/lib/x.jar', 'conf/a.yml', 'conf/skip.bak', '.git/HEAD', 'Dockerfile', 'x.jar'];
  dir = tree({ ...Object.fromEntries(files.map((f) => [f, f])), '.dockerignore': '**/*.bak\n.git\n' });
});

describe('listContext walks only what the COPY sources reach, minus what the ignore file leaves out', () => {
  it.each([
    [['target/app.jar'], ['target', 'target/app.jar']],
    [['target/*.jar'], ['target', 'target/app.jar']],
    [['*.jar'], ['x.jar']],
    [['conf'], ['conf', 'conf/a.yml']],
    [['./conf/'], ['conf', 'conf/a.yml']],
    [['target/*/x.jar'], ['target', 'target/classes', 'target/lib', 'target/lib/x.jar']],
    [['missing.jar'], []],
  ])('%j', (sources, want) => expect(list(dir, sources)).toEqual(want));

  it('sees the whole context for ".", without what is ignored', () => {
    const all = list(dir, ['.']);
    expect(all).toContain('target/classes/A.class');
    expect(all.filter((p) => p.startsWith('.git') || p.endsWith('.bak'))).toEqual([]);
  });

  it('refuses to read outside the context', () => {
    expect(() => readContextFile(dir, '../etc/passwd')).toThrow(/outside the build context/);
    expect(readContextFile(dir, 'x.jar').toString()).toBe('x.jar');
  });
});

describe('the ignore file of the Dockerfile, and excluded folders with re-included paths', () => {
  const files = { 'app/secret.env': 's', 'app/main.txt': 'm', 'app/keep/a.txt': 'a', 'app/keep/b.log': 'b', 'root.txt': 'r', 'docker/app.Dockerfile': 'FROM x', Dockerfile: 'FROM x' };

  it('Dockerfile.dockerignore replaces .dockerignore', () => {
    const d = tree({ ...files, 'Dockerfile.dockerignore': 'app/secret.env\n', '.dockerignore': 'root.txt\n' });
    expect(list(d, ['.'])).toContain('root.txt');
    expect(list(d, ['.'])).not.toContain('app/secret.env');
    expect(openContext(d, path.join(d, 'Dockerfile')).ignore.file).toBe('Dockerfile.dockerignore');
  });

  it('a Dockerfile in a subfolder has its own file there, and the context root keeps .dockerignore for the others', () => {
    const d = tree({ ...files, 'docker/app.Dockerfile.dockerignore': 'root.txt\n', '.dockerignore': 'app\n' });
    expect(list(d, ['.'], 'docker/app.Dockerfile')).toEqual(expect.arrayContaining(['app/secret.env', 'app/main.txt']));
    expect(list(d, ['.'], 'docker/app.Dockerfile')).not.toContain('root.txt');
    expect(list(d, ['.'])).not.toContain('app/main.txt');
  });

  it('sends an excluded folder with what a "!" brings back, and nothing else of it', () => {
    const d = tree({ ...files, '.dockerignore': 'app\n!app/keep/*.txt\n' });
    expect(list(d, ['.'])).toEqual(['.dockerignore', 'Dockerfile', 'app', 'app/keep', 'app/keep/a.txt', 'docker', 'docker/app.Dockerfile', 'root.txt']);
    expect(list(d, ['app/*/a.txt'])).toEqual(['app', 'app/keep', 'app/keep/a.txt']);
    expect(list(d, ['app/main.txt'])).toEqual([]);
  });

  it('refuses a bad pattern, naming the file and line, and an ignore file that links out of the repository', () => {
    const d = tree({ ...files, 'Dockerfile.dockerignore': 'ok\n[\n' });
    expect(() => openContext(d, path.join(d, 'Dockerfile'))).toThrow(/Dockerfile.dockerignore line 2/);
    const l = tree(files);
    symlinkSync('/etc/hostname', path.join(l, '.dockerignore'));
    expect(() => openContext(l, path.join(l, 'Dockerfile'))).toThrow(/outside the context/);
  });
});

describe('the context is data: special files are never read', () => {
  let ctx: string;
  beforeAll(() => {
    ctx = tree({ 'app/a.txt': 'a', Dockerfile: 'FROM a\n' });
    execFileSync('mkfifo', [path.join(ctx, 'app/pipe')]);
    symlinkSync('/dev/zero', path.join(ctx, 'app/zero'));
    symlinkSync('/etc/passwd', path.join(ctx, 'app/passwd'));
  });

  it('lists a FIFO not at all, and links as links (never followed)', () => {
    const listed = listContext(openContext(ctx, path.join(ctx, 'Dockerfile')), ['app']);
    expect(listed.map((f) => [f.path, f.type])).toEqual([
      ['app', 'dir'],
      ['app/a.txt', 'file'],
      ['app/passwd', 'symlink'],
      ['app/zero', 'symlink'],
    ]);
  });

  it.each([
    ['app/pipe', /app\/pipe is a FIFO/],
    ['app/zero', /app\/zero \(a link to \/dev\/zero\) lies outside/],
    ['app/passwd', /app\/passwd \(a link to \/etc\/passwd\) lies outside/],
  ])('readContextFile refuses %s', (rel, message) => expect(() => readContextFile(ctx, rel)).toThrow(message));

  it.each([
    ['a link to /dev/zero', (f: string) => symlinkSync('/dev/zero', f), /\.dockerignore is a link to \/dev\/zero, outside the context/],
    ['a link that leads nowhere', (f: string) => symlinkSync('/nonexistent/x', f), /\.dockerignore is a link that leads nowhere/],
    ['a FIFO (never taken for no ignore file)', (f: string) => execFileSync('mkfifo', [f]), /\.dockerignore is a FIFO: only regular files are read; the ignore file decides/],
    ['over 1 MiB', (f: string) => writeFileSync(f, Buffer.alloc(LIMITS.ignoreFileBytes + 1, 0x61)), /\.dockerignore is larger than the 1 MiB .*make \.dockerignore a regular file/],
  ])('refuses a .dockerignore that is %s', (_what, make, message) => {
    const c = tree({ Dockerfile: 'FROM a\n' });
    make(path.join(c, '.dockerignore'));
    expect(() => openContext(c, path.join(c, 'Dockerfile'))).toThrow(message);
  });
});
