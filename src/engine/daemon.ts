import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The daemon.json a dockerd reads when nothing else is said on its command line. */
export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';
const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/** A running process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  comm: string;
  argv: string[];
}

/** The engine the docker client talks to: which process to signal, which file it reloads. */
export interface Daemon {
  pid: number;
  configFile: string;
}

/** Every value of a dockerd flag: `--flag v`, `--flag=v`, and for a short name `-H v`, `-Hv`. Pure. */
export function flagValues(argv: readonly string[], long: string, short?: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === `--${long}` || (short && a === `-${short}`)) {
      if (i + 1 < argv.length) out.push(argv[++i]);
    } else if (a.startsWith(`--${long}=`)) out.push(a.slice(long.length + 3));
    else if (short && a.startsWith(`-${short}`) && !a.startsWith('--')) out.push(a.slice(2).replace(/^=/, ''));
  }
  return out;
}

/** One spelling per address: `unix://` dropped, /var/run as /run (one directory on every current distribution). Pure. */
export function normalHost(host: string): string {
  const h = host.trim() || DEFAULT_HOST;
  const unix = h.startsWith('unix://') ? h.slice('unix://'.length) : h.startsWith('/') ? h : undefined;
  if (unix === undefined) return h.replace(/\/+$/, '');
  return path.posix.normalize(unix).replace(/^\/var\/run\//, '/run/');
}

const isDockerd = (p: ProcessInfo): boolean => p.comm.startsWith('dockerd') || path.basename(p.argv[0] ?? '').startsWith('dockerd');

/**
 * The dockerd behind `dockerHost` (DOCKER_HOST, empty for the default socket), and the daemon.json it reads:
 * the one that listens there by its command line; for the default socket also one started without -H or by
 * systemd (`-H fd://`, as GitHub's hosted runners and most distributions do); else the only dockerd there is.
 * Hosts set inside daemon.json are not on the command line, so such a daemon is found only when it is alone. Pure.
 */
export function findDaemon(processes: readonly ProcessInfo[], dockerHost: string): Daemon {
  const want = normalHost(dockerHost);
  const daemons = processes.filter(isDockerd);
  const hosts = (p: ProcessInfo): string[] => flagValues(p.argv, 'host', 'H').map(normalHost);
  const byHost = daemons.filter((p) => hosts(p).includes(want));
  const byDefault = want === normalHost(DEFAULT_HOST) ? daemons.filter((p) => hosts(p).every((h) => h.startsWith('fd://'))) : [];
  const found = byHost[0] ?? (byDefault.length === 1 ? byDefault[0] : undefined) ?? (daemons.length === 1 ? daemons[0] : undefined);
  if (!found) {
    const what = daemons.length ? `${daemons.length} dockerd processes run (pids ${daemons.map((p) => p.pid).join(', ')}) and none names ${want} on its command line` : 'no dockerd process was found on this machine';
    throw new Error(`the engine behind ${dockerHost || DEFAULT_HOST} could not be found: ${what}`);
  }
  return { pid: found.pid, configFile: flagValues(found.argv, 'config-file').at(-1) ?? DEFAULT_DAEMON_JSON };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** The dockerd-looking processes of this machine (anyone may read their comm and cmdline). */
export function dockerdProcesses(proc = '/proc'): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    const comm = read(path.join(proc, name, 'comm'))?.trim() ?? '';
    if (!comm.startsWith('dockerd')) continue;
    const argv = (read(path.join(proc, name, 'cmdline')) ?? '').split('\0').filter((a, i, all) => a || i < all.length - 1);
    out.push({ pid: Number(name), comm, argv });
  }
  return out;
}
