import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KEY_PREFIX, shortHash, type CacheKey, type Platform } from './keys.js';

/**
 * The jar of one commit, built by one command: a reproducible build makes the same jar again, so a rerun of
 * the same commit takes it from the cache and skips the build tool. No restore keys: only this exact build. Pure.
 */
export function artifactKey(p: Platform, sha: string, command: readonly string[], workingDirectory: string): CacheKey {
  return { key: `${KEY_PREFIX}-jar-${p.os}-${p.arch}-${sha}-${shortHash([...command, workingDirectory])}`, restoreKeys: [] };
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
