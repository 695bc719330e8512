import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOptional } from '../untrusted/file.js';
import { LIMITS } from '../untrusted/limits.js';
import { KEY_PREFIX, type CacheKey, type Platform } from './keys.js';

/**
 * The native builder's layer-digest cache: for a layer's tar (named by its diff_id, the sha256 of the tar, whose
 * bytes depend only on the entries: paths, types, modes, owners, times, sizes, contents), the digest and size of its
 * gzip. It spares the gzip, never the check: an entry is a claim that whoever can write the Actions cache could
 * have made, so the builder uses it only after the registry's blob was found to decompress to this run's own tar.
 */
export interface DigestEntry {
  digest: string;
  size: number;
}

/** At most this many layers are kept: a few images' worth, most recent first; the file stays a few KB. */
export const MAX_DIGEST_ENTRIES = 64;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** What makes the gzip bytes: another zlib or level may give other bytes for the same tar. */
export function gzipFlavour(zlib: string = process.versions.zlib ?? 'unknown'): string {
  return `zlib-${zlib}-level6`;
}

export function layerDigestsDir(runnerTemp: string): string {
  return path.join(runnerTemp, 'image-publish-layer-digests');
}

export const DIGESTS_FILE = 'layer-digests.json';

/**
 * The file's entries: only well-formed ones (a sha256 diff_id → a sha256 digest and a whole positive size), of
 * this gzip flavour, at most MAX_DIGEST_ENTRIES; anything else is dropped. Never throws: a bad file is no cache. Pure.
 */
export function parseDigests(text: string | undefined, flavour: string): Map<string, DigestEntry> {
  const out = new Map<string, DigestEntry>();
  let doc: unknown;
  try {
    doc = JSON.parse(text ?? '');
  } catch {
    return out;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { flavour?: unknown }).flavour !== flavour) return out;
  const layers = (doc as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) return out;
  for (const l of layers.slice(0, MAX_DIGEST_ENTRIES) as unknown[]) {
    const { diffId, digest, size } = (l ?? {}) as Record<string, unknown>;
    if (typeof diffId !== 'string' || !DIGEST.test(diffId) || typeof digest !== 'string' || !DIGEST.test(digest)) continue;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) continue;
    if (!out.has(diffId)) out.set(diffId, { digest, size });
  }
  return out;
}

/** The file for the next run: this run's layers first, then the older entries, at most MAX_DIGEST_ENTRIES. Pure. */
export function serializeDigests(own: ReadonlyMap<string, DigestEntry>, older: ReadonlyMap<string, DigestEntry>, flavour: string): string {
  const merged = new Map(own);
  for (const [d, e] of older) if (!merged.has(d)) merged.set(d, e);
  const layers = [...merged].slice(0, MAX_DIGEST_ENTRIES).map(([diffId, e]) => ({ diffId, digest: e.digest, size: e.size }));
  return `${JSON.stringify({ flavour, layers }, null, 1)}\n`;
}

/**
 * The cache key: restored by its prefix (the newest entry of this platform and gzip flavour), saved under the hash
 * of the file it holds, so a key names its content and an unchanged file is not saved again. Pure.
 */
export function layerDigestsKey(p: Platform, flavour: string, content?: string): CacheKey {
  const base = `${KEY_PREFIX}-native-layers-${p.os}-${p.arch}-${flavour.replace(/[^A-Za-z0-9.-]/g, '_')}-`;
  const hash = content === undefined ? '' : createHash('sha256').update(content).digest('hex').slice(0, 32);
  return { key: `${base}${hash}`, restoreKeys: [base] };
}

/** The largest gzip of `tarBytes` bytes zlib can write (stored blocks at worst), so a bigger claimed blob is never fetched. Pure. */
export function maxGzipBytes(tarBytes: number): number {
  return tarBytes + Math.ceil(tarBytes / 16383) * 5 + 1024;
}

/** The restored file's text; undefined when there is none or it is not a small regular file (then there is no cache). */
export function readDigestsFile(dir: string): string | undefined {
  try {
    return readOptional(path.join(dir, DIGESTS_FILE), { cap: LIMITS.cacheNoteBytes, root: dir, name: `the cached ${DIGESTS_FILE}` })?.toString('utf8');
  } catch {
    return undefined;
  }
}

/** The file for post to save, written afresh (never through a link the restore may have left). */
export function writeDigestsFile(dir: string, content: string): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, DIGESTS_FILE);
  rmSync(`${file}.new`, { force: true });
  writeFileSync(`${file}.new`, content, { mode: 0o600, flag: 'wx' });
  renameSync(`${file}.new`, file);
}
