import { execute } from '../exec.js';
import { replaceFile, restoreTrust, signal, type TrustChange } from './trust.js';

export const DAEMON_JSON = '/etc/docker/daemon.json';

/** daemon.json with these registries added to insecure-registries, everything else kept. Pure. */
export function withInsecureRegistries(daemonJson: string | undefined, registries: readonly string[]): string {
  let conf: Record<string, unknown> = {};
  if (daemonJson?.trim()) {
    const parsed: unknown = JSON.parse(daemonJson);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${DAEMON_JSON} is not a JSON object`);
    conf = parsed as Record<string, unknown>;
  }
  const current = Array.isArray(conf['insecure-registries']) ? (conf['insecure-registries'] as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  conf['insecure-registries'] = [...new Set([...current, ...registries])];
  return `${JSON.stringify(conf, null, 2)}\n`;
}

async function dockerdPid(): Promise<number> {
  const r = await execute('pidof', ['dockerd'], { timeoutMs: 10 * 1000 }).catch(() => undefined);
  const pid = Number((r?.stdout ?? '').trim().split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('no dockerd process was found on this machine');
  return pid;
}

/** True once the engine reports every registry as insecure (reload is asynchronous). */
async function engineAllows(registries: readonly string[], dockerEnv: Record<string, string>): Promise<boolean> {
  const r = await execute('docker', ['info', '--format', '{{json .RegistryConfig.IndexConfigs}}'], { env: dockerEnv, timeoutMs: 30 * 1000 });
  if (r.code !== 0) return false;
  const configs = JSON.parse(r.stdout || '{}') as Record<string, { Secure?: boolean }>;
  return registries.every((reg) => configs[reg]?.Secure === false);
}

async function reload(): Promise<void> {
  await signal(await dockerdPid(), 'HUP');
}

/** Lets the engine speak plain HTTP to these registries until post; returns how to undo it. */
export async function allowInsecure(registries: readonly string[], current: string | undefined, dockerEnv: Record<string, string>): Promise<TrustChange> {
  const change = await replaceFile(DAEMON_JSON, withInsecureRegistries(current, registries));
  try {
    await reload();
    for (let i = 0; i < 40 && !(await engineAllows(registries, dockerEnv)); i++) await new Promise((r) => setTimeout(r, 250));
    if (!(await engineAllows(registries, dockerEnv))) throw new Error('the engine did not take up the new insecure-registries after a reload');
  } catch (e) {
    await restoreTrust(change);
    throw e;
  }
  return change;
}

/** Post: the daemon.json of before, and a reload so the engine forgets. */
export async function restoreDaemonConfig(change: TrustChange): Promise<void> {
  await restoreTrust(change);
  await reload();
}
