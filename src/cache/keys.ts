import { createHash } from 'node:crypto';
import type { BuildTool } from '../java/detect.js';

export const KEY_PREFIX = 'image-publish';

export interface Platform {
  os: string;
  arch: string;
}

export interface CacheKey {
  key: string;
  restoreKeys: string[];
}

/** `<prefix>-<os>-<arch>-<tool>-<hash of the build files>`, with the tool prefix for partial hits. Pure. */
export function dependencyKey(p: Platform, tool: BuildTool, buildFilesHash: string): CacheKey {
  const base = `${KEY_PREFIX}-${p.os}-${p.arch}-${tool}-`;
  return { key: `${base}${buildFilesHash}`, restoreKeys: [base] };
}

/** Short stable hash of a list of strings. Pure. */
export function shortHash(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/**
 * The BuildKit layer cache, per image set and Dockerfile, one entry per commit: a rerun of the same commit
 * hits exactly (and saves nothing); a new commit restores the newest earlier entry and saves its own. Pure.
 */
export function layerKey(p: Platform, images: readonly string[], dockerfile: string, sha: string): CacheKey {
  const base = `${KEY_PREFIX}-layers-${p.os}-${p.arch}-${shortHash([...images].sort().concat(dockerfile))}-`;
  return { key: `${base}${sha || 'nosha'}`, restoreKeys: [base] };
}

export type CacheWrite = 'auto' | 'true' | 'false';

/** auto: write on pushes, tags and schedules, read-only on pull requests so they never evict main's caches. Pure. */
export function mayWriteCache(mode: CacheWrite, eventName: string): boolean {
  if (mode !== 'auto') return mode === 'true';
  return !['pull_request', 'pull_request_target', 'merge_group'].includes(eventName);
}

export type HitKind = 'exact' | 'partial' | 'miss' | 'off' | 'error';

/** How a restore went: the key it restored against the key it wanted. Pure. */
export function hitKind(wanted: string, restored: string | undefined): HitKind {
  if (restored === undefined) return 'miss';
  return restored === wanted ? 'exact' : 'partial';
}
