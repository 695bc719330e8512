import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseBuildxInspect } from '../builders/buildkit/buildx.js';
import { execute } from '../exec.js';

export type CacheMode = 'actions' | 'registry';
/** The cache-mode input: auto picks the registry on a builder that pushes by itself, the Actions cache otherwise. */
export type CacheModeInput = 'auto' | CacheMode;

/**
 * The layer cache of this run: a builder off the runner (docker-container, remote, kubernetes, cloud) keeps it next
 * to the image as `<first image>:buildcache`, since the Actions cache would carry every layer through the runner;
 * the docker builder keeps it in the Actions cache. An explicit value stands. Pure.
 */
export function effectiveCacheMode(mode: CacheModeInput, pushesFromBuilder: boolean, hasImage: boolean): CacheMode {
  if (mode !== 'auto') return mode;
  return pushesFromBuilder && hasImage ? 'registry' : 'actions';
}

/** Where the BuildKit cache lives on the runner: restored into `current`, exported into `next`. Pure. */
export function layerDirs(runnerTemp: string): { current: string; next: string } {
  const base = path.join(runnerTemp, 'image-publish-layers');
  return { current: path.join(base, 'cache'), next: path.join(base, 'cache-next') };
}

/** The registry cache image of the first image: `<image>:buildcache`. Pure. */
export function registryCacheRef(imageName: string): string {
  return `${imageName}:buildcache`;
}

/**
 * --cache-from/--cache-to for buildx. The local export goes to a fresh directory that then replaces the old
 * one, so the cache holds what this build used and no more. Pure.
 */
export function layerCacheArgs(mode: CacheMode, target: { dirs?: { current: string; next: string }; ref?: string }, write: boolean): string[] {
  if (mode === 'registry' && target.ref) {
    return ['--cache-from', `type=registry,ref=${target.ref}`, ...(write ? ['--cache-to', `type=registry,ref=${target.ref},mode=max`] : [])];
  }
  if (mode === 'actions' && target.dirs) {
    const from = existsSync(path.join(target.dirs.current, 'index.json')) ? ['--cache-from', `type=local,src=${target.dirs.current}`] : [];
    return [...from, ...(write ? ['--cache-to', `type=local,dest=${target.dirs.next},mode=max`] : [])];
  }
  return [];
}

/** After a good build the new export becomes the cache; the old one goes. */
export function promoteExport(dirs: { current: string; next: string }): boolean {
  if (!existsSync(path.join(dirs.next, 'index.json'))) return false;
  rmSync(dirs.current, { recursive: true, force: true });
  mkdirSync(path.dirname(dirs.current), { recursive: true });
  renameSync(dirs.next, dirs.current);
  return true;
}

/**
 * How a build keeps its layers for the next run: `max` exports every layer (mode=max) to the Actions cache
 * directory or to <image>:buildcache; `inline` writes the cache metadata into the pushed image's config, and the
 * next run imports it from the image's tags. The engine's own builder on the classic image store can only inline.
 */
export type LayerExport = 'max' | 'inline';

export interface LayerCachePick {
  export?: LayerExport;
  why: string;
}

/** The best layer cache a builder offers, from its buildx driver and the engine's DriverStatus (JSON). Pure. */
export function pickLayerExport(driver: string | undefined, driverStatus: string | undefined): LayerCachePick {
  if (!driver) return { why: 'the buildx builder could not be inspected' };
  if (driver !== 'docker') return { export: 'max', why: `the ${driver} builder exports every layer` };
  if (driverStatus === undefined) return { why: 'the engine\'s image store could not be read (docker info)' };
  if (driverStatus.includes('io.containerd.snapshotter')) return { export: 'max', why: 'the docker builder on the containerd image store exports every layer' };
  return {
    export: 'inline',
    why: 'the docker builder on the classic image store exports no cache, so the pushed image carries it inline and the next run imports it from its tags; the containerd image store or a docker-container builder (docker/setup-buildx-action) keeps every layer',
  };
}

/** Asks buildx and the engine which layer cache this job's builder (or the named one) can keep. */
export async function builderLayerExport(dockerEnv: Record<string, string>, builder?: string): Promise<LayerCachePick> {
  const inspect = await execute('docker', ['buildx', 'inspect', ...(builder ? ['--builder', builder] : [])], { env: dockerEnv, timeoutMs: 30 * 1000 }).catch(() => undefined);
  const driver = inspect?.code === 0 ? parseBuildxInspect(inspect.stdout)?.driver : undefined;
  if (driver !== 'docker') return pickLayerExport(driver, undefined);
  const info = await execute('docker', ['info', '--format', '{{json .DriverStatus}}'], { env: dockerEnv, timeoutMs: 30 * 1000 }).catch(() => undefined);
  return pickLayerExport(driver, info?.code === 0 ? info.stdout : undefined);
}

/**
 * The earlier images an inline cache can come from: the tags this run gives the first image (the last run of the
 * same branch, pull request or release line pushed them), then its `latest`; at most three lookups. `tags` are
 * that image's bare tags. Pure.
 */
export function previousImageRefs(tags: readonly string[], image: string | undefined): string[] {
  if (!image) return [];
  return [...new Set([...tags, 'latest'].map((t) => `${image}:${t}`))].slice(0, 3);
}

/** --cache-from every source (a missing one is only a warning in BuildKit), --cache-to inline when the image is pushed. Pure. */
export function inlineCacheArgs(sources: readonly string[], write: boolean): string[] {
  return [...sources.flatMap((ref) => ['--cache-from', `type=registry,ref=${ref}`]), ...(write ? ['--cache-to', 'type=inline'] : [])];
}

/**
 * The cache flags of one build, for every builder: `max` to <image>:buildcache or the Actions cache directory
 * (`dirs`, when it was restored); `inline` from the earlier images (and a <image>:buildcache another runner may
 * have written); `tags` are the first image's bare tags. `write` is whether this run may write the cache. Pure apart from looking for a restored index.json.
 */
export function buildCacheArgs(exporter: LayerExport, mode: CacheMode, target: { image?: string; tags: readonly string[]; dirs?: { current: string; next: string } }, write: boolean): string[] {
  const { image } = target;
  const buildcache = mode === 'registry' && image ? registryCacheRef(image) : undefined;
  if (exporter === 'inline') return inlineCacheArgs([...(buildcache ? [buildcache] : []), ...previousImageRefs(target.tags, image)], write);
  if (buildcache) return layerCacheArgs('registry', { ref: buildcache }, write);
  return layerCacheArgs('actions', { dirs: target.dirs }, write);
}
