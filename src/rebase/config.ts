/**
 * The rebased image's config: the image's own, on the new base's layers. What the image inherited from the old
 * base unchanged (Env PATH/JAVA_HOME, base labels, a User or WorkingDir the app never set) follows the new base;
 * what the app set (a value other than the old base's) stays the app's. Pure.
 */
import type { ContainerConfig, HistoryEntry, ImageConfig } from '../oci/config.js';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Three-way: the image kept the old base's value → the new base's; else the image's own. Pure. */
function pick<T>(image: T | undefined, oldBase: T | undefined, newBase: T | undefined): T | undefined {
  return same(image, oldBase) ? newBase : image;
}

function envMap(env: readonly string[] | null | undefined): Map<string, string> {
  return new Map((env ?? []).map((e) => [e.includes('=') ? e.slice(0, e.indexOf('=')) : e, e.includes('=') ? e.slice(e.indexOf('=') + 1) : '']));
}

/** Env key by key: the new base's keys in its order (app values where the app changed them), then the app's own keys. Pure. */
export function rebaseEnv(image: readonly string[] | null | undefined, oldBase: readonly string[] | null | undefined, newBase: readonly string[] | null | undefined): string[] | undefined {
  const [img, old, nu] = [envMap(image), envMap(oldBase), envMap(newBase)];
  const out = new Map<string, string>();
  for (const [k, v] of nu) out.set(k, pick(img.get(k), old.get(k), v) ?? v);
  for (const [k, v] of img) {
    if (out.has(k)) continue;
    // a key the old base gave and the app left alone goes with the base that dropped it
    if (old.get(k) !== v) out.set(k, v);
  }
  return out.size || image ? [...out].map(([k, v]) => `${k}=${v}`) : undefined;
}

/** An object key by key (Labels, ExposedPorts, Volumes), with the same three-way rule. Pure. */
function rebaseObject<T>(image: Record<string, T> | null | undefined, oldBase: Record<string, T> | null | undefined, newBase: Record<string, T> | null | undefined): Record<string, T> | undefined {
  const keys = new Set([...Object.keys(newBase ?? {}), ...Object.keys(image ?? {}), ...Object.keys(oldBase ?? {})]);
  const out: Record<string, T> = {};
  for (const k of keys) {
    const v = pick(image?.[k], oldBase?.[k], newBase?.[k]);
    if (v !== undefined) out[k] = v;
  }
  return Object.keys(out).length || (image && !same(image, oldBase)) ? out : undefined;
}

const BY_KEY = new Set(['Labels', 'ExposedPorts', 'Volumes']);

/** The container config (`config` of the image config): every field by the three-way rule. Pure. */
export function rebaseContainerConfig(image: ContainerConfig = {}, oldBase: ContainerConfig = {}, newBase: ContainerConfig = {}): ContainerConfig {
  const out: ContainerConfig = {};
  for (const k of new Set([...Object.keys(image), ...Object.keys(newBase), ...Object.keys(oldBase)])) {
    const v =
      k === 'Env'
        ? rebaseEnv(image.Env, oldBase.Env, newBase.Env)
        : BY_KEY.has(k)
          ? rebaseObject(image[k] as Record<string, unknown>, oldBase[k] as Record<string, unknown>, newBase[k] as Record<string, unknown>)
          : pick(image[k], oldBase[k], newBase[k]);
    if (v !== undefined) out[k] = v;
  }
  // ONBUILD triggers are the base's instructions for its children, never inherited
  delete out.OnBuild;
  return out;
}

/**
 * The new config: the image's (architecture, os, created kept, so the same rebase gives the same digest),
 * rootfs = the new base's diff_ids + the app's, history = the new base's + the app's entries. `baseLayers` is
 * how many of the image's layers (and history entries) the old base made. Pure.
 */
export function rebaseConfig(image: ImageConfig, oldBase: ImageConfig, newBase: ImageConfig): ImageConfig {
  const baseLayers = oldBase.rootfs.diff_ids.length;
  const oldHistory = oldBase.history ?? [];
  const history: HistoryEntry[] = [...(newBase.history ?? []), ...(image.history ?? []).slice(oldHistory.length)];
  return {
    ...image,
    config: rebaseContainerConfig(image.config, oldBase.config, newBase.config),
    rootfs: { type: 'layers', diff_ids: [...newBase.rootfs.diff_ids, ...image.rootfs.diff_ids.slice(baseLayers)] },
    history,
  };
}
