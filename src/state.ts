import type { CacheState } from './cache/caches.js';
import type { DaemonChange } from './engine/insecure.js';
import type { TrustChange } from './engine/trust.js';

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

export function saveState(store: StateStore, state: PostState): void {
  store.save(KEY, JSON.stringify(state));
}

function isCacheState(v: unknown): v is CacheState {
  return typeof v === 'object' && v !== null && typeof (v as CacheState).write === 'boolean';
}

export function loadState(store: StateStore): PostState {
  const raw = store.get(KEY);
  if (!raw) return { registries: [] };
  try {
    const parsed = JSON.parse(raw) as Partial<PostState>;
    return {
      dockerConfig: typeof parsed.dockerConfig === 'string' ? parsed.dockerConfig : undefined,
      registries: Array.isArray(parsed.registries) ? parsed.registries.filter((r): r is string => typeof r === 'string') : [],
      cache: isCacheState(parsed.cache) ? parsed.cache : undefined,
      daemonConfig:
        typeof parsed.daemonConfig?.file === 'string' && Array.isArray(parsed.daemonConfig.added)
          ? { file: parsed.daemonConfig.file, added: parsed.daemonConfig.added.filter((r): r is string => typeof r === 'string'), created: parsed.daemonConfig.created === true }
          : undefined,
      trust: Array.isArray(parsed.trust) ? parsed.trust.filter((t): t is TrustChange => typeof t?.file === 'string') : undefined,
      succeeded: parsed.succeeded === true,
    };
  } catch {
    return { registries: [] };
  }
}
