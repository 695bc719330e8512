import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execute } from '../exec.js';
import { assertRegistryHost } from '../oci/host.js';

/**
 * A CA file this run wrote into the engine's trust store, so post can take it out again. The file is the run's own
 * (see caFileName): nothing else in the folder is ever touched. Certificates are public: no secret here.
 */
export interface TrustChange {
  file: string;
  /** What this run wrote: post removes the file only while it still holds it. */
  written: string;
  /** The folder is the action's (made for this file, or holding only other runs' files): post takes it out once empty. */
  createdDir?: boolean;
}

export const ENGINE_CERTS_DIR = '/etc/docker/certs.d';

/**
 * The engine reads every `*.crt` in <certs.d>/<host:port>/ as a CA (moby's ReadCertsDirectory, and BuildKit's
 * resolver for the containerd store), so each run writes a file of its own there: two jobs on one engine never
 * write, restore or remove each other's file, nor the user's `ca.crt`.
 */
const OWN_CA_FILE = /^image-publish-\d{1,20}-[0-9a-f]{16}\.crt$/;

/** This run's CA file name: its run id (0 outside Actions) and 16 random hex digits, as jobs of one run share the id. Pure. */
export function caFileName(runId: number | undefined, random: string): string {
  const id = runId !== undefined && Number.isSafeInteger(runId) && runId >= 0 ? runId : 0;
  const name = `image-publish-${id}-${random}.crt`;
  if (!OWN_CA_FILE.test(name)) throw new Error(`${JSON.stringify(name)} is not a CA file name of this action's`);
  return name;
}

/** Whether a file name has the shape caFileName gives, and only that. Pure. */
export const isOwnCaFileName = (name: string): boolean => OWN_CA_FILE.test(name);

/** <certs.d>/<host:port>/<name>. Pure. */
export function caFile(certsDir: string, registry: string, name: string): string {
  return path.join(certsDir, assertRegistryHost(registry), name);
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

/** A folder that is not there yet, or holds only runs' CA files: the last run out takes it out. */
function actionsFolder(dir: string): boolean {
  try {
    const names = readdirSync(dir);
    return names.length > 0 && names.every(isOwnCaFileName);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

export interface TrustOptions {
  runId?: number;
  certsDir?: string;
  /** The file name's random part (tests pass their own). */
  random?: string;
}

/**
 * Makes the engine trust `pem` for `registry` with a file of this run's own. `record` learns the change before the
 * file is written, so post can undo it after a crash.
 */
export async function trustCa(registry: string, pem: string, record: (c: TrustChange) => void, opts: TrustOptions = {}): Promise<void> {
  const file = caFile(opts.certsDir ?? ENGINE_CERTS_DIR, registry, caFileName(opts.runId, opts.random ?? randomBytes(8).toString('hex')));
  if (existsSync(file)) throw new Error(`${file} exists already; it is not this run's to overwrite`);
  record({ file, written: pem, createdDir: actionsFolder(path.dirname(file)) });
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(file, pem);
      return;
    } catch (e) {
      // another run's post took the empty folder out between our mkdir and our write: make it again
      if (attempt === 3 || existsSync(path.dirname(file))) throw e;
    }
  }
}

/** Takes out the file this run wrote (and the action's folder, once empty), unless its content is no longer ours. */
export async function restoreTrust(change: TrustChange): Promise<'removed' | 'left'> {
  const now = existsSync(change.file) ? readFileSync(change.file, 'utf8') : undefined;
  if (now !== undefined && now !== change.written) return 'left';
  await removeFile(change.file, change.createdDir === true);
  return 'removed';
}

/** Signals a process as root, or through sudo. */
export async function signal(pid: number, sig: 'HUP'): Promise<void> {
  if (isRoot()) process.kill(pid, `SIG${sig}`);
  else await sudo(['kill', `-${sig}`, String(pid)]);
}
