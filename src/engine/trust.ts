import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execute } from '../exec.js';
import { assertRegistryHost } from '../oci/host.js';

/** What was changed in the engine's trust store, so post can put it back. Certificates are public: no secret here. */
export interface TrustChange {
  file: string;
  /** The file's earlier content, when there was one. */
  previous?: string;
  /** The folder had to be made for the file, so it goes too. */
  createdDir?: boolean;
  /** What this job wrote: post undoes only while the file still holds it, so another job's later write stays. */
  written?: string;
}

export const ENGINE_CERTS_DIR = '/etc/docker/certs.d';

/** The engine reads <certs.d>/<host:port>/ca.crt on every connection to that registry. Pure. */
export function caFile(certsDir: string, registry: string): string {
  return path.join(certsDir, assertRegistryHost(registry), 'ca.crt');
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

async function sudo(args: string[], input?: string): Promise<void> {
  const r = await execute('sudo', ['-n', ...args], { input, timeoutMs: 30 * 1000 });
  if (r.code !== 0) throw new Error(`sudo ${args[0]} failed: ${r.stderr.trim() || `exit code ${r.code}`}; the runner user needs passwordless sudo to change the engine's trust`);
}

export async function writeFile(file: string, content: string): Promise<void> {
  if (isRoot()) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content, { mode: 0o644 });
    return;
  }
  await sudo(['mkdir', '-p', path.dirname(file)]);
  await sudo(['tee', file], content);
}

export async function removeFile(file: string, dirToo: boolean): Promise<void> {
  if (isRoot()) {
    rmSync(file, { force: true });
    if (dirToo) {
      try {
        rmdirSync(path.dirname(file));
      } catch {
        // someone else put files there meanwhile: leave it
      }
    }
  } else {
    await sudo(['rm', '-f', file]);
    if (dirToo) await sudo(['rmdir', '--ignore-fail-on-non-empty', path.dirname(file)]);
  }
}

/**
 * Makes the engine trust `pem` for `registry`. `record` learns the change before the file is written, so post can
 * undo it after a crash; a file that already holds this CA is left alone (nothing to undo).
 */
export async function trustCa(registry: string, pem: string, record: (c: TrustChange) => void, certsDir = ENGINE_CERTS_DIR): Promise<void> {
  const file = caFile(certsDir, registry);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (previous === pem) return;
  record({ file, previous, createdDir: !existsSync(path.dirname(file)), written: pem });
  await writeFile(file, pem);
}

/** Puts a file back as it was before main, unless another job has written it since (then it is theirs now). */
export async function restoreTrust(change: TrustChange): Promise<'restored' | 'removed' | 'left'> {
  const now = existsSync(change.file) ? readFileSync(change.file, 'utf8') : undefined;
  if (change.written !== undefined && now !== change.written) return 'left';
  if (change.previous !== undefined) await writeFile(change.file, change.previous);
  else await removeFile(change.file, change.createdDir === true);
  return change.previous !== undefined ? 'restored' : 'removed';
}

/** Signals a process as root, or through sudo. */
export async function signal(pid: number, sig: 'HUP'): Promise<void> {
  if (isRoot()) process.kill(pid, `SIG${sig}`);
  else await sudo(['kill', `-${sig}`, String(pid)]);
}
