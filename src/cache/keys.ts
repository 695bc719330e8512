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

/** The events whose runs build code already in the repository's branches and tags: only they write with `auto`. */
const TRUSTED_WRITERS = ['push', 'schedule'];

/**
 * auto: write on pushes (branches and tags) and schedules only. Every other event (pull requests, workflow_run,
 * issue_comment, workflow_dispatch, …) may build code nobody merged, and several of them run in the default
 * branch's cache scope, where a poisoned entry would feed every later build. `untrusted` (a pull_request_target
 * checkout of another commit) never writes, whatever the mode. Pure.
 */
export function mayWriteCache(mode: CacheWrite, eventName: string, untrusted = false): boolean {
  if (untrusted) return false;
  if (mode !== 'auto') return mode === 'true';
  return TRUSTED_WRITERS.includes(eventName);
}

export type HitKind = 'exact' | 'partial' | 'miss' | 'off' | 'error';

/** The `cache-hit` output: each cache's hit; `image` is the native builder's image record. */
export interface CacheHits {
  dependencies: HitKind;
  layers: HitKind;
  jar: HitKind;
  image: HitKind;
}

/** A run that builds nothing (a merge, a rebase) uses no cache. */
export const NO_CACHE_HITS: CacheHits = { dependencies: 'off', layers: 'off', jar: 'off', image: 'off' };

/** How a restore went: the key it restored against the key it wanted. Pure. */
export function hitKind(wanted: string, restored: string | undefined): HitKind {
  if (restored === undefined) return 'miss';
  return restored === wanted ? 'exact' : 'partial';
}
