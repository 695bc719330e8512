import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execute } from '../exec.js';

export type CacheMode = 'actions' | 'registry';

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
 * Whether the current builder can export a cache: any BuildKit container builder can; the engine's own
 * builder only with the containerd image store.
 */
export async function builderCanExport(dockerEnv: Record<string, string>): Promise<{ ok: boolean; why: string }> {
  const inspect = await execute('docker', ['buildx', 'inspect'], { env: dockerEnv, timeoutMs: 30 * 1000 }).catch(() => undefined);
  const driver = /Driver:\s*(\S+)/.exec(inspect?.stdout ?? '')?.[1];
  if (!driver) return { ok: false, why: 'the buildx builder could not be inspected' };
  if (driver !== 'docker') return { ok: true, why: `builder driver ${driver}` };
  const info = await execute('docker', ['info', '--format', '{{json .DriverStatus}}'], { env: dockerEnv, timeoutMs: 30 * 1000 }).catch(() => undefined);
  if (info?.stdout.includes('io.containerd.snapshotter')) return { ok: true, why: 'docker driver with the containerd image store' };
  return { ok: false, why: 'the default docker builder cannot export a cache without the containerd image store; enable it in daemon.json or set up a docker-container builder (docker/setup-buildx-action)' };
}
