import type { CacheState } from './cache/caches.js';
import type { DaemonChange } from './engine/insecure.js';
import type { TrustChange } from './engine/trust.js';
import { checkCache, checkDaemon, checkDockerConfig, checkRegistry, checkTrust, type Checked, type StateFacts } from './state-check.js';

/** What main hands to post. Never a secret: where the config lives, what to log out of, what to cache. */
export interface PostState {
  dockerConfig?: string;
  registries: string[];
  cache?: CacheState;
  /** CA files written into the engine's trust store, to undo. */
  trust?: TrustChange[];
  /** The insecure registries this job added to daemon.json (recorded before the write). */
  daemonConfig?: DaemonChange;
  /** Set last in main: caches are saved only after a run that published what it should. */
  succeeded?: boolean;
}

export interface StateStore {
  save(name: string, value: string): void;
  get(name: string): string;
}

const KEY = 'image-publish';
const FIELDS = new Set(['dockerConfig', 'registries', 'cache', 'trust', 'daemonConfig', 'succeeded']);

export function saveState(store: StateStore, state: PostState): void {
  store.save(KEY, JSON.stringify(state));
}

/**
 * Post's state, parsed strictly and checked against what main can have written (see state-check.ts): a part that
 * fails is left out and named in `refused`, for a warning. State is data someone else may have written, never
 * instructions.
 */
export function readState(store: StateStore, facts: StateFacts): { state: PostState; refused: string[] } {
  const raw = store.get(KEY);
  if (!raw) return { state: { registries: [] }, refused: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { state: { registries: [] }, refused: ['the state is not JSON'] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { state: { registries: [] }, refused: ['the state is not a JSON object'] };
  const p = parsed as Record<string, unknown>;
  const refused = Object.keys(p).filter((k) => !FIELDS.has(k)).map((k) => `unknown field ${JSON.stringify(k).slice(0, 60)}`);
  const take = <T>(name: string, value: unknown, check: (v: unknown) => Checked<T>): T | undefined => {
    if (value === undefined) return undefined;
    const r = check(value);
    if ('why' in r) {
      refused.push(`${name}: ${r.why}`);
      return undefined;
    }
    return r.value;
  };
  const list = (name: string, v: unknown): unknown[] => {
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    refused.push(`${name}: not a list`);
    return [];
  };
  const state: PostState = {
    dockerConfig: take('dockerConfig', p.dockerConfig, (v) => checkDockerConfig(v, facts)),
    registries: list('registries', p.registries).flatMap((r) => take('registries', r, checkRegistry) ?? []),
    cache: take('cache', p.cache, (v) => checkCache(v, facts)),
    trust: p.trust === undefined ? undefined : list('trust', p.trust).flatMap((t) => take('trust', t, (v) => checkTrust(v, facts)) ?? []),
    daemonConfig: take('daemonConfig', p.daemonConfig, (v) => checkDaemon(v, facts)),
    succeeded: take('succeeded', p.succeeded, (v): Checked<boolean> => (typeof v === 'boolean' ? { value: v } : { why: 'not true or false' })) ?? false,
  };
  return { state, refused };
}
