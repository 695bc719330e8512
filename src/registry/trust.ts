import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execute } from '../exec.js';
import { assertRegistryHost } from './host.js';

/** What was changed in the engine's trust store, so post can put it back. Certificates are public: no secret here. */
export interface TrustChange {
  file: string;
  /** The file's earlier content, when there was one. */
  previous?: string;
  /** The folder had to be made for the file, so it goes too. */
  createdDir?: boolean;
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

async function writeFile(file: string, content: string): Promise<void> {
  if (isRoot()) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content, { mode: 0o644 });
    return;
  }
  await sudo(['mkdir', '-p', path.dirname(file)]);
  await sudo(['tee', file], content);
}

async function removeFile(file: string, dirToo: boolean): Promise<void> {
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

/** Writes a root-owned engine file (as root, or through passwordless sudo); returns how to undo it. */
export async function replaceFile(file: string, content: string): Promise<TrustChange> {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const createdDir = !existsSync(path.dirname(file));
  await writeFile(file, content);
  return { file, previous, createdDir };
}

/** Makes the engine trust `pem` for `registry`; returns how to undo it. */
export async function trustCa(registry: string, pem: string, certsDir = ENGINE_CERTS_DIR): Promise<TrustChange> {
  return replaceFile(caFile(certsDir, registry), pem);
}

/** Puts a file back as it was before main. */
export async function restoreTrust(change: TrustChange): Promise<void> {
  if (change.previous !== undefined) await writeFile(change.file, change.previous);
  else await removeFile(change.file, change.createdDir === true);
}

/** Signals a process as root, or through sudo. */
export async function signal(pid: number, sig: 'HUP'): Promise<void> {
  if (isRoot()) process.kill(pid, `SIG${sig}`);
  else await sudo(['kill', `-${sig}`, String(pid)]);
}
