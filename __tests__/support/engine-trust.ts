import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The engine's trust store (/etc/docker/certs.d, one per machine and read by every dockerd on it) is shared by every
 * run: a docker-builder run given a `ca` writes <host>/ca.crt there and its post removes it, and a run that finds the
 * same CA there already writes nothing (the file is not its change to undo). Two such runs at once would see the
 * file go while they push, and a test that checks certs.d would see another run's file. The e2e files that run
 * beside each other (.ci/test runs them on two workers) hold this lock around such runs and checks, so they take
 * their turns at the trust store and at nothing else.
 *
 * A lock directory beside the services' state (mkdir is atomic) holding the holder's pid; the lock of a process
 * that is gone is taken over.
 */
const LOCK = path.join(process.env.CI_STATE_DIR ?? '/tmp/image-publish-ci', 'engine-trust.lock');
const WAIT_MS = 20 * 60 * 1000;

function holderGone(): boolean {
  try {
    const pid = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // no pid file yet: the holder is between its mkdir and its write, unless that was long ago
    if (code === 'ENOENT') {
      const made = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs;
      return made !== undefined && Date.now() - made > 60 * 1000;
    }
    return code === 'ESRCH';
  }
}

async function acquire(): Promise<void> {
  for (const until = Date.now() + WAIT_MS; ; ) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      if (holderGone()) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // the holder let go meanwhile
    }
    if (Date.now() > until) throw new Error(`${LOCK} is still held after ${WAIT_MS / 60000} minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs `fn` while no other test process uses the engine's trust store (see above). */
export async function withEngineTrust<T>(fn: () => Promise<T>): Promise<T> {
  await acquire();
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
