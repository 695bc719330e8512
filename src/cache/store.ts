import { readdirSync, lstatSync } from 'node:fs';
import path from 'node:path';
import * as cache from '@actions/cache';
import { errorMessage } from '../errors.js';
import { hitKind, type CacheKey, type HitKind } from './keys.js';

const RESTORE_TIMEOUT_MS = 10 * 60 * 1000;
const SAVE_TIMEOUT_MS = 10 * 60 * 1000;

export interface CacheLog {
  info(m: string): void;
  warning(m: string): void;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Bytes under the given paths (symlinks not followed), for the log. */
export function sizeOf(paths: readonly string[]): number {
  let total = 0;
  const walk = (p: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
    else total += st.size;
  };
  for (const p of paths) if (!p.startsWith('!')) walk(p);
  return total;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function cacheServiceAvailable(): boolean {
  return cache.isFeatureAvailable();
}

/** Restores a cache; never throws: a broken cache service means a cold build, with a warning. */
export async function restore(what: string, paths: string[], key: CacheKey, log: CacheLog): Promise<{ hit: HitKind; restoredKey?: string }> {
  const t0 = Date.now();
  try {
    const restored = await withTimeout(cache.restoreCache(paths.slice(), key.key, key.restoreKeys, { timeoutInMs: 120 * 1000, segmentTimeoutInMs: 5 * 60 * 1000 }), RESTORE_TIMEOUT_MS, `Restoring the ${what} cache`);
    const hit = hitKind(key.key, restored);
    log.info(`${what} cache: ${hit}${restored ? ` (${restored}, ${mb(sizeOf(paths))} on disk)` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { hit, restoredKey: restored };
  } catch (e) {
    log.warning(`The ${what} cache could not be restored (${errorMessage(e)}); building without it.`);
    return { hit: 'error' };
  }
}

/** Saves a cache; never throws: the image is already published, so a failed save only costs the next run time. */
export async function save(what: string, paths: string[], key: string, log: CacheLog): Promise<boolean> {
  const t0 = Date.now();
  const size = sizeOf(paths);
  try {
    const id = await withTimeout(cache.saveCache(paths.slice(), key), SAVE_TIMEOUT_MS, `Saving the ${what} cache`);
    if (id === -1) {
      log.warning(`The ${what} cache was not saved (see the messages above).`);
      return false;
    }
    log.info(`${what} cache saved as ${key}: ${mb(size)} of files in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return true;
  } catch (e) {
    const name = e instanceof Error ? e.name : '';
    if (name === cache.ReserveCacheError.name) log.info(`${what} cache ${key} already exists or is being saved by another job.`);
    else log.warning(`The ${what} cache was not saved (${errorMessage(e)}).`);
    return false;
  }
}
