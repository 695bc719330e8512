/** What main hands to post. Never a secret: only where the config lives and which registries to log out of. */
export interface PostState {
  dockerConfig?: string;
  registries: string[];
}

export interface StateStore {
  save(name: string, value: string): void;
  get(name: string): string;
}

const KEY = 'image-publish';

export function saveState(store: StateStore, state: PostState): void {
  store.save(KEY, JSON.stringify(state));
}

export function loadState(store: StateStore): PostState {
  const raw = store.get(KEY);
  if (!raw) return { registries: [] };
  try {
    const parsed = JSON.parse(raw) as Partial<PostState>;
    return {
      dockerConfig: typeof parsed.dockerConfig === 'string' ? parsed.dockerConfig : undefined,
      registries: Array.isArray(parsed.registries) ? parsed.registries.filter((r): r is string => typeof r === 'string') : [],
    };
  } catch {
    return { registries: [] };
  }
}
