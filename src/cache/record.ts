import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOptional } from '../untrusted/file.js';
import { LIMITS } from '../untrusted/limits.js';
import { KEY_PREFIX, type CacheKey, type Platform } from './keys.js';

/**
 * The image record: what the native builder made of one jar, so that the same build, rerun, needs neither the jar
 * nor the build tool. It replaces the jar cache where the jar is all the image takes from the work tree: the jar's
 * path and mode in the context, and the layers its COPY became (a Spring Boot split or the one jar), each by the
 * diff_id, digest and size this builder computed. Keyed by the jar cache's own key (the work tree's content, the
 * command, the JDK and the build tool) and by everything else that shapes those layers; no restore keys. Pure
 * but for the file helpers at the end.
 */
export interface RecordedLayer {
  /** The Spring Boot layer's name, or null for the jar as one layer. */
  name: string | null;
  diffId: string;
  digest: string;
  size: number;
}

export interface ImageRecord {
  /** The jar as the context holds it: path (relative to the context, '/'-separated), mode and size. */
  jar: { path: string; mode: number; size: number };
  layers: RecordedLayer[];
}

/** Bumped whenever the native builder would make other layers of the same inputs. */
export const RECORD_FORMAT = 1;

/** What else shapes the jar's layers, besides the jar itself. */
export interface RecordInputs {
  /** The jar cache's key for this build (what is built). */
  artifactKey: string;
  /** The Dockerfile's text and the build args. */
  dockerfile: string;
  buildArgs: readonly [string, string][];
  /** The context and Dockerfile, relative to the workspace. */
  context: string;
  file: string;
  layers: string;
  /** File times in the layers, in seconds. */
  mtime: number;
  /** The gzip flavour (zlib version and level). */
  flavour: string;
}

export function recordKey(p: Platform, r: RecordInputs): CacheKey {
  const h = createHash('sha256');
  const parts = [String(RECORD_FORMAT), r.artifactKey, r.dockerfile, ...r.buildArgs.flat(), r.context, r.file, r.layers, String(r.mtime), r.flavour];
  for (const part of parts) h.update(`${part.length}:${part}`);
  return { key: `${KEY_PREFIX}-image-${p.os}-${p.arch}-${h.digest('hex').slice(0, 40)}`, restoreKeys: [] };
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_LAYERS = 32;

function goodPath(p: unknown): p is string {
  return typeof p === 'string' && p !== '' && p.length <= 4096 && !p.startsWith('/') && !p.includes('\0') && !p.split('/').some((s) => s === '' || s === '.' || s === '..');
}

function goodLayer(l: unknown): l is RecordedLayer {
  const { name, diffId, digest, size } = (l ?? {}) as Record<string, unknown>;
  if (name !== null && !(typeof name === 'string' && NAME.test(name))) return false;
  if (typeof diffId !== 'string' || !DIGEST.test(diffId) || typeof digest !== 'string' || !DIGEST.test(digest)) return false;
  return typeof size === 'number' && Number.isSafeInteger(size) && size > 0;
}

/**
 * The record a file holds, checked as data: a jar path inside the context, a regular mode, 1 to 32 well-formed
 * layers, only named ones when there are several. Undefined for anything else: a bad file is no record. Pure.
 */
export function parseRecord(text: string | undefined): ImageRecord | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  const { format, jar, layers } = (doc ?? {}) as Record<string, unknown>;
  if (format !== RECORD_FORMAT || typeof jar !== 'object' || jar === null || !Array.isArray(layers)) return undefined;
  const { path: p, mode, size } = jar as Record<string, unknown>;
  if (!goodPath(p) || typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (layers.length < 1 || layers.length > MAX_LAYERS || !layers.every(goodLayer)) return undefined;
  if (layers.length > 1 && layers.some((l) => l.name === null)) return undefined;
  return { jar: { path: p, mode, size }, layers: layers.map(({ name, diffId, digest, size: n }) => ({ name, diffId, digest, size: n })) };
}

export function serializeRecord(r: ImageRecord): string {
  return JSON.stringify({ format: RECORD_FORMAT, ...r });
}

export function recordDir(runnerTemp: string): string {
  return path.join(runnerTemp, 'image-publish-record');
}

const FILE = 'record.json';

/** The restored record, or undefined when there is none or it is not a regular, small, well-formed file. */
export function readRecordFile(dir: string): ImageRecord | undefined {
  try {
    return parseRecord(readOptional(path.join(dir, FILE), { cap: LIMITS.cacheNoteBytes, root: dir, name: 'the image record' })?.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Writes the record for post to save (a fresh folder, the file renamed into place). */
export function writeRecordFile(dir: string, r: ImageRecord): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${FILE}.tmp`), serializeRecord(r));
  renameSync(path.join(dir, `${FILE}.tmp`), path.join(dir, FILE));
}
