/** The jar the build left is data: a regular file inside the working directory, links resolved. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactRoot, checkArtifact } from '../../../src/java/artifact.js';

let ws: string;
let wd: string;
beforeAll(() => {
  ws = mkdtempSync(path.join(os.tmpdir(), 'ip-artifact-'));
  wd = path.join(ws, 'app');
  mkdirSync(path.join(wd, 'target'), { recursive: true });
  mkdirSync(path.join(ws, 'shared'));
  writeFileSync(path.join(wd, 'target/app.jar'), 'PK');
  writeFileSync(path.join(ws, 'shared/lib.jar'), 'PK');
  symlinkSync('app.jar', path.join(wd, 'target/latest.jar'));
  symlinkSync('/dev/zero', path.join(wd, 'target/zero.jar'));
  // a credentials file outside the working directory, as ~/.docker/config.json is (made here: a fresh machine has none)
  const home = mkdtempSync(path.join(os.tmpdir(), 'ip-artifact-home-'));
  mkdirSync(path.join(home, '.docker'));
  writeFileSync(path.join(home, '.docker/config.json'), '{"auths":{}}');
  symlinkSync(path.join(home, '.docker/config.json'), path.join(wd, 'target/config.jar'));
  symlinkSync(path.join(ws, 'shared/lib.jar'), path.join(wd, 'target/up.jar'));
  execFileSync('mkfifo', [path.join(wd, 'target/fifo.jar')]);
});

describe('checkArtifact', () => {
  it.each([
    ['target/app.jar', undefined],
    ['target/latest.jar', undefined],
    ['target/zero.jar', /The jar app\/target\/zero.jar \(a link to \/dev\/zero\) lies outside .*app\. The image takes only a jar the build wrote as a regular file/],
    ['target/config.jar', /target\/config.jar \(a link to .*\.docker\/config.json\) lies outside/],
    ['target/up.jar', /target\/up.jar \(a link to .*shared\/lib.jar\) lies outside/],
    ['target/fifo.jar', /target\/fifo.jar is a FIFO/],
  ])('%s', (rel, refused) => {
    const jar = path.join(wd, rel);
    if (refused) expect(() => checkArtifact(jar, wd, ws)).toThrow(refused);
    else expect(checkArtifact(jar, wd, ws)).toBe(jar);
  });
});

describe('artifactRoot', () => {
  const p = (artifact: string, allowOutsideWorkspace = false) => ({ workingDirectory: wd, workspace: ws, artifact, allowOutsideWorkspace });
  it.each([
    ['no artifact input: the build tool output', '', false, 'wd'],
    ['an artifact glob in the working directory', 'target/*.jar', false, 'wd'],
    ['an artifact glob that starts outside it (the user chose it)', '../shared/*.jar', false, 'ws'],
    ['with allow-outside-workspace', '../shared/*.jar', true, undefined],
  ])('%s', (_what, artifact, allow, want) => {
    expect(artifactRoot(p(artifact, allow))).toBe(want === 'wd' ? wd : want === 'ws' ? ws : undefined);
  });
});
