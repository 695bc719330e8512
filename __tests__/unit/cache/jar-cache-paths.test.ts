/** What the jar cache holds is data: the path it names stays inside the working directory, links included. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { stageArtifact, unstageArtifact } from '../../../src/cache/artifact.js';

let top: string;
let wd: string;
let cacheDir: string;
beforeEach(() => {
  top = mkdtempSync(path.join(os.tmpdir(), 'ip-jarcache-'));
  wd = path.join(top, 'ws', 'app');
  cacheDir = path.join(top, 'temp', 'image-publish-artifact');
  mkdirSync(wd, { recursive: true });
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(path.join(top, 'outside'));
});

function cached(jar: string, content: string | ((f: string) => void) = 'PK jar'): void {
  writeFileSync(path.join(cacheDir, 'artifact.json'), JSON.stringify({ jar }));
  const f = path.join(cacheDir, 'artifact.jar');
  if (typeof content === 'string') writeFileSync(f, content);
  else content(f);
}

describe('unstageArtifact', () => {
  it('puts the jar back where it belongs', () => {
    cached('target/app.jar');
    expect(unstageArtifact(cacheDir, wd)).toBe(path.join(wd, 'target/app.jar'));
    expect(readFileSync(path.join(wd, 'target/app.jar'), 'utf8')).toBe('PK jar');
  });

  it('has nothing to say without a cache entry', () => expect(unstageArtifact(path.join(top, 'none'), wd)).toBeUndefined());

  it.each([
    ['`..` in the cached path (target/../../x)', () => cached('target/../../x'), /the cached jar path "target\/..\/..\/x" leads outside/],
    ['an absolute cached path', () => cached('/tmp/x.jar'), /is an absolute path/],
    ['a link on the way out (target -> outside)', () => (cached('target/app.jar'), symlinkSync(path.join(top, 'outside'), path.join(wd, 'target'))), /leads outside .* \(through a link\)/],
    ['a cached jar that is a link to /etc/passwd', () => cached('target/app.jar', (f) => symlinkSync('/etc/passwd', f)), /the cached artifact.jar \(a link to \/etc\/passwd\) lies outside/],
    ['a cached jar that is a FIFO', () => cached('target/app.jar', (f) => execFileSync('mkfifo', [f])), /the cached artifact.jar is a FIFO/],
    ['a FIFO where the jar goes', () => (cached('target/app.jar'), mkdirSync(path.join(wd, 'target')), execFileSync('mkfifo', [path.join(wd, 'target/app.jar')])), /taken by something that is not a regular file/],
    ['a link where the jar goes', () => (cached('target/app.jar'), mkdirSync(path.join(wd, 'target')), symlinkSync(path.join(top, 'outside/x'), path.join(wd, 'target/app.jar'))), /leads outside/],
    ['a note that names no jar', () => cached(''), /names no jar/],
  ])('refuses %s, writing nothing outside', (_what, setup, message) => {
    setup();
    expect(() => unstageArtifact(cacheDir, wd)).toThrow(message);
    expect(existsSync(path.join(top, 'x'))).toBe(false);
    expect(existsSync(path.join(top, 'outside/app.jar'))).toBe(false);
    expect(existsSync(path.join(top, 'outside/x'))).toBe(false);
  });

  it('replaces a regular file with a fresh one (never writes through a hard link)', () => {
    mkdirSync(path.join(wd, 'target'));
    writeFileSync(path.join(top, 'outside/victim'), 'keep');
    execFileSync('ln', [path.join(top, 'outside/victim'), path.join(wd, 'target/app.jar')]);
    cached('target/app.jar');
    unstageArtifact(cacheDir, wd);
    expect(readFileSync(path.join(top, 'outside/victim'), 'utf8')).toBe('keep');
    expect(readFileSync(path.join(wd, 'target/app.jar'), 'utf8')).toBe('PK jar');
  });
});

describe('stageArtifact', () => {
  it('keeps a jar inside the working directory, and refuses one outside or a link out', () => {
    mkdirSync(path.join(wd, 'target'));
    writeFileSync(path.join(wd, 'target/app.jar'), 'jar');
    stageArtifact(path.join(wd, 'target/app.jar'), wd, cacheDir);
    expect(JSON.parse(readFileSync(path.join(cacheDir, 'artifact.json'), 'utf8'))).toEqual({ jar: 'target/app.jar' });
    writeFileSync(path.join(top, 'outside/app.jar'), 'jar');
    expect(() => stageArtifact(path.join(top, 'outside/app.jar'), wd, cacheDir)).toThrow(/leads outside/);
    symlinkSync(path.join(top, 'outside/app.jar'), path.join(wd, 'target/link.jar'));
    expect(() => stageArtifact(path.join(wd, 'target/link.jar'), wd, cacheDir)).toThrow(/leads outside .*through a link/);
  });
});
