import path from 'node:path';
import type { CacheState } from './cache/caches.js';
import { KEY_PREFIX, type HitKind } from './cache/keys.js';
import { artifactDir } from './cache/artifact.js';
import { layerDirs } from './cache/layers.js';
import { layerDigestsDir } from './cache/layer-digests.js';
import { recordDir } from './cache/record.js';
import type { DaemonChange } from './engine/insecure.js';
import { isOwnCaFileName, type TrustChange } from './engine/trust.js';
import { isRegistryHost } from './oci/name.js';

/** What post knows for itself, to check state against: nothing here comes from the state. */
export interface StateFacts {
  runnerTemp: string;
  /** The engine's trust store (/etc/docker/certs.d). */
  certsDir: string;
  /** The daemon.json the engine reads now, when post could find the engine. */
  daemonFile?: string;
}

/** A check gives the value back as main wrote it, or says why it is refused. */
export type Checked<T> = { value: T } | { why: string };
const ok = <T>(value: T): Checked<T> => ({ value });
const no = <T>(why: string): Checked<T> => ({ why });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const HITS: readonly HitKind[] = ['exact', 'partial', 'miss', 'off', 'error'];
const KEY = new RegExp(`^${KEY_PREFIX}-[A-Za-z0-9._-]{1,400}$`);
/** A CA file's text: at least one PEM certificate, no binary, bounded (post writes it back as root). */
const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/;
const isPem = (t: unknown): boolean => typeof t === 'string' && t.length < 1024 * 1024 && !t.includes('\0') && PEM_CERT.test(t);
const quote = (v: unknown): string => JSON.stringify(v)?.slice(0, 120) ?? String(v);

/** The docker config main made: `$RUNNER_TEMP/image-publish-docker-XXXXXX`, nothing else (post deletes it). Pure. */
export function checkDockerConfig(v: unknown, facts: StateFacts): Checked<string> {
  const own = typeof v === 'string' && path.isAbsolute(v) && path.normalize(v) === v && path.dirname(v) === path.resolve(facts.runnerTemp) && /^image-publish-docker-[A-Za-z0-9]{6}$/.test(path.basename(v));
  return own ? ok(v) : no(`${quote(v)} is not a folder image-publish-docker-XXXXXX directly in RUNNER_TEMP (${facts.runnerTemp})`);
}

/** A registry to log out of: a host[:port]. Pure. */
export function checkRegistry(v: unknown): Checked<string> {
  return typeof v === 'string' && isRegistryHost(v) ? ok(v) : no(`${quote(v)} is not a registry host`);
}

/**
 * actions/cache takes paths as globs: what it adds must be plain (absolute, normal, no wildcard, not /), so a path
 * names itself and nothing more; an exclusion (`!…`, as for Gradle's lock files) may use wildcards, since it only
 * takes away.
 */
function cachePath(p: unknown): p is string {
  if (typeof p !== 'string' || p.includes('\n')) return false;
  const exclude = p.startsWith('!');
  const bare = exclude ? p.slice(1) : p;
  return path.isAbsolute(bare) && path.normalize(bare) === bare && bare !== '/' && (exclude || !/[*?[\]{}!]/.test(bare));
}

/** The cache entries post saves: keys with the action's prefix, RUNNER_TEMP folders of its own, plain paths. Pure. */
export function checkCache(v: unknown, facts: StateFacts): Checked<CacheState> {
  if (!isObject(v) || typeof v.write !== 'boolean') return no('not a cache state');
  const entry = (e: unknown, name: string): Record<string, unknown> | string | undefined => {
    if (e === undefined) return undefined;
    if (!isObject(e) || typeof e.key !== 'string' || !KEY.test(e.key) || !HITS.includes(e.hit as HitKind)) return `${name}: not a cache entry with a key of ${KEY_PREFIX}-…`;
    return e;
  };
  const a = entry(v.artifact, 'artifact');
  const d = entry(v.dependencies, 'dependencies');
  const l = entry(v.layers, 'layers');
  const n = entry(v.nativeLayers, 'nativeLayers');
  const r = entry(v.record, 'record');
  for (const e of [a, d, l, n, r]) if (typeof e === 'string') return no(e);
  const art = a as Record<string, unknown> | undefined;
  const dep = d as Record<string, unknown> | undefined;
  const lay = l as Record<string, unknown> | undefined;
  if (art && (art.path !== artifactDir(facts.runnerTemp) || typeof art.staged !== 'boolean')) return no(`artifact: ${quote(art.path)} is not ${artifactDir(facts.runnerTemp)}`);
  if (lay && (lay.path !== layerDirs(facts.runnerTemp).current || typeof lay.exported !== 'boolean')) return no(`layers: ${quote(lay.path)} is not ${layerDirs(facts.runnerTemp).current}`);
  const nat = n as Record<string, unknown> | undefined;
  if (nat && (nat.path !== layerDigestsDir(facts.runnerTemp) || (nat.save !== undefined && !(typeof nat.save === 'string' && KEY.test(nat.save))))) return no(`nativeLayers: ${quote(nat.path)} is not ${layerDigestsDir(facts.runnerTemp)}, or its key is not one of ${KEY_PREFIX}-…`);
  const rec = r as Record<string, unknown> | undefined;
  if (rec && (rec.path !== recordDir(facts.runnerTemp) || (rec.save !== undefined && typeof rec.save !== 'boolean'))) return no(`record: ${quote(rec.path)} is not ${recordDir(facts.runnerTemp)}`);
  if (dep && !(Array.isArray(dep.paths) && dep.paths.length > 0 && dep.paths.every(cachePath) && dep.paths.some((p) => !p.startsWith('!')))) return no(`dependencies: ${quote(dep.paths)} are not plain absolute paths`);
  if (v.layerExport !== undefined && v.layerExport !== 'max' && v.layerExport !== 'inline') return no(`layerExport: ${quote(v.layerExport)}`);
  return ok(v as unknown as CacheState);
}

/**
 * A CA file main wrote: `<certs.d>/<host[:port]>/image-publish-<run id>-<16 hex>.crt` (caFileName's shape, never the
 * user's `ca.crt` nor another file), holding PEM certificates. Nothing post would write back. Pure.
 */
export function checkTrust(v: unknown, facts: StateFacts): Checked<TrustChange> {
  if (!isObject(v) || typeof v.file !== 'string') return no('not a CA file change');
  const host = path.basename(path.dirname(v.file));
  const certs = path.resolve(facts.certsDir);
  const name = path.basename(v.file);
  if (!isRegistryHost(host) || !isOwnCaFileName(name) || v.file !== path.join(certs, host, name)) return no(`${quote(v.file)} is not ${certs}/<registry>/image-publish-<run id>-<random>.crt`);
  const extra = Object.keys(v).filter((k) => !['file', 'written', 'createdDir'].includes(k));
  if (extra.length) return no(`${v.file}: unknown field ${quote(extra[0])}`);
  if (!isPem(v.written)) return no(`${v.file}: its written content is not a PEM certificate`);
  if (v.createdDir !== undefined && typeof v.createdDir !== 'boolean') return no(`${v.file}: createdDir is not true or false`);
  return ok({ file: v.file, written: v.written as string, createdDir: v.createdDir as boolean | undefined });
}

/** The insecure registries main added to the daemon.json the engine reads now, and nothing else. Pure. */
export function checkDaemon(v: unknown, facts: StateFacts): Checked<DaemonChange> {
  if (!isObject(v) || typeof v.file !== 'string' || !Array.isArray(v.added)) return no('not a daemon.json change');
  if (!facts.daemonFile) return no(`${quote(v.file)}: the engine's daemon.json could not be found to check it against`);
  if (v.file !== facts.daemonFile) return no(`${quote(v.file)} is not the engine's daemon.json (${facts.daemonFile})`);
  const bad = v.added.filter((r) => !(typeof r === 'string' && isRegistryHost(r)));
  if (bad.length) return no(`${quote(bad[0])} is not a registry host`);
  return ok({ file: v.file, added: v.added as string[], created: v.created === true });
}
