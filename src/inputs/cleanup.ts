/** The preview clean-up inputs: `cleanup`, `cleanup-older-than`, `github-container-registry`. Pure. */
import { InputError } from '../errors.js';
import { canonicalRegistry, isRegistryHost } from '../oci/name.js';
import { oneOf } from './values.js';

export type CleanupMode = 'auto' | 'off' | 'sweep';

export interface CleanupOptions {
  /** auto: a closed pull request's preview is removed; off: nothing is removed; sweep: previews of PRs closed long enough ago. */
  mode: CleanupMode;
  /** sweep: how long a pull request has been closed before its preview goes, in milliseconds. */
  olderThanMs: number;
  /** The registry host whose deletions go through the GitHub Packages API (ghcr.io; containers.<host> on GHES). */
  packagesRegistry: string;
}

const UNITS: Record<string, number> = { d: 24 * 3600 * 1000, h: 3600 * 1000 };

/** `7d`, `36h`, `0d`: a whole number of days or hours. */
export function parseAge(name: string, raw: string, fallback: string): number {
  const v = raw.trim() || fallback;
  const m = /^(\d{1,5})([dh])$/.exec(v);
  if (!m) throw new InputError(name, `"${v}" is not an age; write a whole number of days or hours, e.g. 7d or 36h.`);
  return Number(m[1]) * UNITS[m[2]];
}

export function parseCleanup(read: (name: string) => string): CleanupOptions {
  const mode = oneOf('cleanup', read('cleanup'), ['auto', 'off', 'sweep'] as const, 'auto');
  const olderThanMs = parseAge('cleanup-older-than', read('cleanup-older-than'), '7d');
  const host = read('github-container-registry').trim() || 'ghcr.io';
  if (!isRegistryHost(host)) throw new InputError('github-container-registry', `"${host}" is not a host or host:port, e.g. ghcr.io or containers.github.example.com.`);
  return { mode, olderThanMs, packagesRegistry: canonicalRegistry(host) };
}
