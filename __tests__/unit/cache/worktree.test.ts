/** The work tree as git has it on disk: ignored files count, and the runner variables its files name are found. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashWorkTree, namesInWorkTree } from '../../../src/cache/worktree.js';

let dir: string;
const put = (rel: string, text: string | Buffer): void => {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
};
const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.email=t@acme.test', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'ignore' });
const digest = async (): Promise<string> => {
  const t = await hashWorkTree(dir);
  if ('why' in t) throw new Error(t.why);
  return t.digest;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ip-worktree-'));
  git('init', '-q');
  put('.gitignore', 'src/main/resources/static/\n');
  put('pom.xml', '<project/>\n');
  git('add', '-A');
  git('commit', '-qm', 'x');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the work tree hash', () => {
  it('takes in an ignored file a step before the build wrote, and its content', async () => {
    const clean = await digest();
    put('src/main/resources/static/app.js', 'v1\n');
    const one = await digest();
    put('src/main/resources/static/app.js', 'v2\n');
    const two = await digest();
    expect(new Set([clean, one, two]).size).toBe(3);
    rmSync(path.join(dir, 'src'), { recursive: true });
    expect(await digest()).toBe(clean);
  });

  it('names the top of the work tree, for a module below it too', async () => {
    mkdirSync(path.join(dir, 'service'));
    const t = await hashWorkTree(path.join(dir, 'service'));
    expect('top' in t && t.top).toBe(execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8' }).trim());
  });
});

describe('the runner variables the work tree names', () => {
  const names = ['GITHUB_REF_NAME', 'GITHUB_RUN_ID', 'GITHUB_SHA', 'RUNNER_OS'];

  it('finds them in tracked, untracked and ignored text files, as whole words only', async () => {
    put('pom.xml', '<project><version>${env.GITHUB_REF_NAME}</version></project>\n');
    put('build.gradle.kts', 'val sha = System.getenv("GITHUB_SHA")\n');
    put('src/main/resources/static/info.txt', 'os=@env.RUNNER_OS@\n');
    put('notes.txt', 'MY_GITHUB_RUN_ID_COPY\n');
    expect([...(await namesInWorkTree(dir, names))].sort()).toEqual(['GITHUB_REF_NAME', 'GITHUB_SHA', 'RUNNER_OS']);
  });

  it('finds none in a tree that names none, nor in a binary file', async () => {
    put('lib/blob.bin', Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from('GITHUB_SHA')]));
    expect((await namesInWorkTree(dir, names)).size).toBe(0);
  });
});
