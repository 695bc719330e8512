import { existsSync, readFileSync } from 'node:fs';
import { execute } from '../exec.js';
import { dockerdProcesses, findDaemon, type Daemon } from './daemon.js';
import { replaceFile, restoreTrust, signal, type TrustChange } from './trust.js';

/** daemon.json with these registries added to insecure-registries, everything else kept. Pure. */
export function withInsecureRegistries(daemonJson: string | undefined, registries: readonly string[], file = 'daemon.json'): string {
  let conf: Record<string, unknown> = {};
  if (daemonJson?.trim()) {
    const parsed: unknown = JSON.parse(daemonJson);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${file} is not a JSON object`);
    conf = parsed as Record<string, unknown>;
  }
  const current = Array.isArray(conf['insecure-registries']) ? (conf['insecure-registries'] as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  conf['insecure-registries'] = [...new Set([...current, ...registries])];
  return `${JSON.stringify(conf, null, 2)}\n`;
}

/** The engine the docker client of this job talks to (DOCKER_HOST), with the daemon.json it was started with. */
export function engineDaemon(dockerEnv: Record<string, string>): Daemon {
  return findDaemon(dockerdProcesses(), dockerEnv.DOCKER_HOST ?? process.env.DOCKER_HOST ?? '');
}

/** The registries the engine now treats as insecure (beyond its built-in 127.0.0.0/8). */
async function engineInsecure(dockerEnv: Record<string, string>): Promise<Set<string>> {
  const r = await execute('docker', ['info', '--format', '{{json .RegistryConfig.IndexConfigs}}'], { env: dockerEnv, timeoutMs: 30 * 1000 });
  if (r.code !== 0) return new Set();
  const configs = JSON.parse(r.stdout || '{}') as Record<string, { Secure?: boolean }>;
  return new Set(Object.entries(configs).filter(([, c]) => c.Secure === false).map(([name]) => name));
}

/** Reloads dockerd and waits (bounded) until the engine's view satisfies `done`; reloads are asynchronous. */
async function reloadUntil(done: (insecure: Set<string>) => boolean, dockerEnv: Record<string, string>): Promise<boolean> {
  await signal(engineDaemon(dockerEnv).pid, 'HUP');
  for (let i = 0; i < 40; i++) {
    if (done(await engineInsecure(dockerEnv))) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** The insecure-registries list of a daemon.json text ([] when it has none). Pure. */
export function insecureList(daemonJson: string | undefined): string[] {
  try {
    const v = (JSON.parse(daemonJson ?? '{}') as Record<string, unknown>)['insecure-registries'];
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

/** Lets the engine speak plain HTTP to these registries until post; returns how to undo it. */
export async function allowInsecure(registries: readonly string[], dockerEnv: Record<string, string>): Promise<TrustChange> {
  const file = engineDaemon(dockerEnv).configFile;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const change = await replaceFile(file, withInsecureRegistries(current, registries, file));
  try {
    if (!(await reloadUntil((s) => registries.every((r) => s.has(r)), dockerEnv))) throw new Error('the engine did not take up the new insecure-registries after a reload');
  } catch (e) {
    await restoreDaemonConfig(change, registries);
    throw e;
  }
  return change;
}

/**
 * Post: the daemon.json of before (the file main changed), and an engine that forgot the added registries. A reload ignores
 * a key that is absent, so the engine first gets the old list explicitly, then the file its old text.
 */
export async function restoreDaemonConfig(change: TrustChange, added: readonly string[], dockerEnv: Record<string, string> = {}): Promise<void> {
  const before = insecureList(change.previous);
  await replaceFile(change.file, withInsecureRegistries(change.previous, [], change.file));
  await reloadUntil((s) => added.every((r) => before.includes(r) || !s.has(r)), dockerEnv);
  await restoreTrust(change);
}
