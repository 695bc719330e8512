import type { CacheState } from './cache/caches.js';

/** What main hands to post. Never a secret: where the config lives, what to log out of, what to cache. */
export interface PostState {
  dockerConfig?: string;
  registries: string[];
  cache?: CacheState;
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
      succeeded: parsed.succeeded === true,
    };
  } catch {
    return { registries: [] };
  }
}
