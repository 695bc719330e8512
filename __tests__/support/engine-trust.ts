import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The engine's trust store (/etc/docker/certs.d, one per machine and read by every dockerd on it) is shared by every
 * run: a docker-builder run given a `ca` writes <host>/image-publish-<run id>-<random>.crt there and its post removes
 * that file (and the folder, once empty, when only the action's runs put files there). Runs at once no longer touch
 * each other's files, but a test that checks certs.d would see another run's file. The e2e files that run
 * beside each other (.ci/test runs them on two workers) hold this lock around such runs and checks, so they take
 * their turns at the trust store and at nothing else.
 *
 * A lock directory beside the services' state (mkdir is atomic) holding the holder's pid; the lock of a process
 * that is gone is taken over.
 */
/** The lock's folder: beside the services' state, read when asked (a test may point CI_STATE_DIR elsewhere). */
export function lockDir(): string {
  return path.join(process.env.CI_STATE_DIR ?? '/tmp/image-publish-ci', 'engine-trust.lock');
}
const WAIT_MS = 20 * 60 * 1000;

function holderGone(lock: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // no pid file yet: the holder is between its mkdir and its write, unless that was long ago
    if (code === 'ENOENT') {
      const made = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      return made !== undefined && Date.now() - made > 60 * 1000;
    }
    return code === 'ESRCH';
  }
}

async function acquire(lock: string): Promise<void> {
  for (const until = Date.now() + WAIT_MS; ; ) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      if (holderGone(lock)) rmSync(lock, { recursive: true, force: true });
    } catch {
      // the holder let go meanwhile
    }
    if (Date.now() > until) throw new Error(`${lock} is still held after ${WAIT_MS / 60000} minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs `fn` while no other test process uses the engine's trust store (see above). */
export async function withEngineTrust<T>(fn: () => Promise<T>): Promise<T> {
  const lock = lockDir();
  await acquire(lock);
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
