import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { execute } from '../exec.js';
import { readRegular } from '../untrusted/file.js';
import { bytesText, LIMITS } from '../untrusted/limits.js';
import { gitBlobId, parseIndex, splitNul, treeDigest, type WorktreeFile } from './source.js';

const TREE_LIMITS = LIMITS.tree;

const GIT_TIMEOUT_MS = 30 * 1000;

export type TreeHash = { digest: string; top: string; files: number } | { why: string };

/** A read-only git command's stdout; `quiet` exit codes count as success too (git grep's 1: no match). Throws, saying why. */
export async function git(cwd: string, args: string[], quiet: readonly number[] = []): Promise<string> {
  // -z gives paths raw; no prompts, and no index refresh (a read must not take the index lock)
  const r = await execute('git', ['-c', 'core.quotepath=off', ...args], { cwd, timeoutMs: GIT_TIMEOUT_MS, env: { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' } });
  if (r.code !== 0 && !(quiet.includes(r.code) && !r.timedOut)) throw new Error(r.timedOut ? `git ${args[0]} took longer than ${GIT_TIMEOUT_MS / 1000} s` : (r.tail.at(-1) ?? `git ${args[0]} exited with code ${r.code}`));
  return r.stdout;
}

/** `git grep` over the same files as the tree hash (tracked, untracked and ignored; no binary file); '' when nothing matches. */
export function grepWorkTree(cwd: string, options: readonly string[], pathspecs: readonly string[] = ['.']): Promise<string> {
  return git(cwd, ['grep', '--untracked', '--no-exclude-standard', '-I', ...options, '--', ...pathspecs], [1]);
}

function statOrGone(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A changed file as it is on disk, hashed the way git would: a link by its target's name (never followed), a regular
 * file by its bytes (at most `cap`); a directory (a nested repository), FIFO or device cannot be.
 */
function onDisk(file: string, rel: string, st: Stats | undefined, top: string, cap: number): WorktreeFile {
  if (!st) return { path: rel };
  if (st.isSymbolicLink()) return { path: rel, mode: '120000', id: gitBlobId(readlinkSync(file)) };
  if (!st.isFile()) throw new Error(`${rel} is not a regular file (a nested repository?)`);
  return { path: rel, mode: st.mode & 0o111 ? '100755' : '100644', id: gitBlobId(readRegular(file, { root: top, cap, name: rel })) };
}

/**
 * The content of the git work tree that holds `dir` (all of it: a module's build may read its parent pom or its
 * siblings): the index, plus modified and untracked files, ignored ones too (a step before this one may have written
 * a resource the build packs, and git ignores it). Never throws: `why` says what stopped it (no git, not a
 * repository, a tree too large to hash cheaply).
 */
export async function hashWorkTree(dir: string): Promise<TreeHash> {
  try {
    const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
    const index = parseIndex(await git(top, ['ls-files', '-s', '-z']));
    const changedPaths = [...new Set(splitNul(await git(top, ['ls-files', '-m', '-o', '-z'])))];
    const files = index.length + changedPaths.length;
    if (files > TREE_LIMITS.files) return { why: `the repository has ${files} files, more than the ${TREE_LIMITS.files} this action hashes` };
    const changed: WorktreeFile[] = [];
    let bytes = 0;
    for (const rel of changedPaths) {
      const file = path.join(top, rel);
      const st = statOrGone(file);
      const size = st?.isFile() ? st.size : 0;
      if (bytes + size > TREE_LIMITS.changedBytes) return { why: `the modified and untracked files hold more than ${bytesText(TREE_LIMITS.changedBytes)}` };
      changed.push(onDisk(file, rel, st, top, TREE_LIMITS.changedBytes - bytes));
      bytes += size;
    }
    return { digest: treeDigest(index, changed), top, files };
  } catch (e) {
    return { why: `the working tree could not be hashed with git (${errorMessage(e)})` };
  }
}

/**
 * Which of `names` a text file of the work tree at `top` spells out as a word (tracked, untracked and ignored files
 * alike, as the tree hash takes them; binary files not read): `${env.GITHUB_REF_NAME}` in a pom or a filtered
 * resource, `System.getenv("GITHUB_SHA")` in a Gradle script.
 */
export async function namesInWorkTree(top: string, names: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (!names.length) return found;
  const out = await grepWorkTree(top, ['-h', '-o', '-w', '-E', names.map((n) => n.replace(/[^A-Za-z0-9_]/g, '')).join('|')]);
  for (const line of out.split('\n')) if (names.includes(line.trim())) found.add(line.trim());
  return found;
}
