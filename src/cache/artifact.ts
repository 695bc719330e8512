import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { KEY_PREFIX, type CacheKey, type Platform } from './keys.js';

/** What the jar is made of: the source tree's content, the command that builds it, where, and with which tools. */
export interface ArtifactInputs {
  /** treeDigest() of the work tree. */
  tree: string;
  command: readonly string[];
  /** working-directory, relative to the workspace. */
  workingDirectory: string;
  java: string;
  tool: string;
}

/**
 * The jar of one source tree, built by one command with one JDK and build tool: a reproducible build makes the
 * same jar again, so the same content takes it from the cache and skips the build tool. Keyed by content, never by
 * GITHUB_SHA (the workspace need not hold that commit). No restore keys: only this exact build. Pure.
 */
export function artifactKey(p: Platform, a: ArtifactInputs): CacheKey {
  const h = createHash('sha256');
  for (const part of [a.tree, a.workingDirectory, a.java, a.tool, ...a.command]) h.update(`${part.length}:${part}`);
  return { key: `${KEY_PREFIX}-jar-${p.os}-${p.arch}-${h.digest('hex').slice(0, 40)}`, restoreKeys: [] };
}

export function artifactDir(runnerTemp: string): string {
  return path.join(runnerTemp, 'image-publish-artifact');
}

interface Manifest {
  /** The jar's path relative to working-directory. */
  jar: string;
}

/** After a build: a copy of the jar and where it belongs, for post to save. */
export function stageArtifact(jar: string, workingDirectory: string, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(jar, path.join(dir, 'artifact.jar'));
  const manifest: Manifest = { jar: path.relative(workingDirectory, jar) };
  writeFileSync(path.join(dir, 'artifact.json'), JSON.stringify(manifest));
}

/** After a restore: put the jar back where the build tool would have left it; returns its path. */
export function unstageArtifact(dir: string, workingDirectory: string): string | undefined {
  const file = path.join(dir, 'artifact.json');
  if (!existsSync(file)) return undefined;
  const { jar } = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  if (typeof jar !== 'string' || jar.startsWith('..') || path.isAbsolute(jar)) return undefined;
  const target = path.join(workingDirectory, jar);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join(dir, 'artifact.jar'), target);
  return target;
}
