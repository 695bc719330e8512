import { constants, copyFileSync, lstatSync, mkdirSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { checkRegular, readOptional } from '../untrusted/file.js';
import { LIMITS } from '../untrusted/limits.js';
import { pathInside } from '../untrusted/paths.js';
import { KEY_PREFIX, type CacheKey, type Platform } from './keys.js';

/** What the jar is made of: the source tree's content, the environment and command that build it, where, and with which tools. */
export interface ArtifactInputs {
  /** treeDigest() of the work tree. */
  tree: string;
  /** environmentDigest() of what the build sees of the environment. */
  environment: string;
  command: readonly string[];
  /** working-directory, relative to the workspace. */
  workingDirectory: string;
  java: string;
  tool: string;
}

/** Bumped when the key takes in more of what is built (2: ignored files and the environment), so older entries go unused. */
const ARTIFACT_FORMAT = '2';

/**
 * The jar of one source tree, built by one command with one JDK and build tool: a reproducible build makes the
 * same jar again, so the same content takes it from the cache and skips the build tool. Keyed by content, never by
 * GITHUB_SHA (the workspace need not hold that commit). No restore keys: only this exact build. Pure.
 */
export function artifactKey(p: Platform, a: ArtifactInputs): CacheKey {
  const h = createHash('sha256');
  for (const part of [ARTIFACT_FORMAT, a.tree, a.environment, a.workingDirectory, a.java, a.tool, ...a.command]) h.update(`${part.length}:${part}`);
  return { key: `${KEY_PREFIX}-jar-${p.os}-${p.arch}-${h.digest('hex').slice(0, 40)}`, restoreKeys: [] };
}

export function artifactDir(runnerTemp: string): string {
  return path.join(runnerTemp, 'image-publish-artifact');
}

interface Manifest {
  /** The jar's path relative to working-directory. */
  jar: string;
}

/**
 * After a build: a copy of the jar and where it belongs, for post to save. Only a regular file inside the working
 * directory is kept (javaStage has checked the jar already; a path outside could never be put back).
 */
export function stageArtifact(jar: string, workingDirectory: string, dir: string): void {
  const rel = path.relative(workingDirectory, jar);
  pathInside(workingDirectory, rel, 'the jar');
  checkRegular(jar, { root: workingDirectory, name: rel });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(jar, path.join(dir, 'artifact.jar'));
  const manifest: Manifest = { jar: rel };
  writeFileSync(path.join(dir, 'artifact.json'), JSON.stringify(manifest));
}

/**
 * After a restore: put the jar back where the build tool would have left it; returns its path, or undefined when
 * the cache holds no jar. What a cache holds is data: the path it names must stay inside the working directory
 * (no `..`, no link on the way out), the jar must be a regular file, and nothing but a regular file is replaced.
 * Throws, saying why, otherwise.
 */
export function unstageArtifact(dir: string, workingDirectory: string): string | undefined {
  const note = readOptional(path.join(dir, 'artifact.json'), { cap: LIMITS.cacheNoteBytes, root: dir, name: 'the cached artifact.json' });
  if (!note) return undefined;
  const { jar } = JSON.parse(note.toString('utf8')) as Partial<Manifest>;
  if (typeof jar !== 'string' || jar === '') throw new Error('the cached artifact.json names no jar');
  const target = pathInside(workingDirectory, jar, 'the cached jar path');
  const source = path.join(dir, 'artifact.jar');
  checkRegular(source, { root: dir, name: 'the cached artifact.jar' });
  const there = lstatOrGone(target);
  if (there && !there.isFile()) throw new Error(`the cached jar path "${jar}" is taken by something that is not a regular file`);
  mkdirSync(path.dirname(target), { recursive: true });
  // a fresh file, never a write through whatever link or hard link stood there
  rmSync(target, { force: true });
  copyFileSync(source, target, constants.COPYFILE_EXCL);
  return target;
}

function lstatOrGone(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
