import { lstatSync } from 'node:fs';
import { saveCaches } from './cache/caches.js';
import { runnerContext } from './context.js';
import { errorMessage } from './errors.js';
import type { ActionIO } from './io.js';
import { removeDockerConfig } from './engine/docker-config.js';
import { logout } from './engine/login.js';
import { engineDaemon, removeDaemonChange, type DaemonChange } from './engine/insecure.js';
import { ENGINE_CERTS_DIR, restoreTrust, type TrustChange } from './engine/trust.js';
import { readState, type PostState } from './state.js';

/** The daemon.json the engine reads now, found afresh (never taken from the state); undefined when no engine is found. */
function currentDaemonFile(): string | undefined {
  try {
    return engineDaemon({}).configFile;
  } catch {
    return undefined;
  }
}

/** A real folder, not a link to one elsewhere: what main's mkdtemp made. */
function isOwnFolder(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && !st.isSymbolicLink() && (typeof process.getuid !== 'function' || st.uid === process.getuid());
  } catch {
    return false;
  }
}

/** The post step: save caches after a good run, then log out and delete the job's Docker config, whatever main did. */
export async function runPost(io: ActionIO, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { runnerTemp } = runnerContext(env);
  const { state, refused } = readState(io.state, { runnerTemp, certsDir: ENGINE_CERTS_DIR, daemonFile: currentDaemonFile() });
  for (const r of refused) io.warning(`Post refused part of the state main handed over, and does nothing with it: ${r}.`);
  if (state.cache) {
    const cache = state.cache;
    await io.group('Save caches', async () => {
      if (!state.succeeded) io.info('The main step did not finish: no cache is saved.');
      else await saveCaches(cache, io);
    });
  }
  if (state.trust?.length || state.daemonConfig?.added.length) await restoreEngine(io, state.trust ?? [], state.daemonConfig);
  if (state.dockerConfig) await logOut(io, state, state.dockerConfig);
}

async function restoreEngine(io: ActionIO, trust: readonly TrustChange[], daemon: DaemonChange | undefined): Promise<void> {
  await io.group('Restore the engine trust', async () => {
    for (const c of trust) {
      try {
        const done = await restoreTrust(c);
        io.info(done === 'left' ? `${c.file} was changed by someone else since: left as it is.` : `Removed ${c.file}.`);
      } catch (e) {
        io.warning(`Could not remove ${c.file}: ${errorMessage(e)}`);
      }
    }
    if (!daemon?.added.length) return;
    try {
      await removeDaemonChange(daemon);
      io.info(`Took ${daemon.added.join(', ')} out of ${daemon.file}'s insecure-registries.`);
    } catch (e) {
      io.warning(`Could not take ${daemon.added.join(', ')} out of ${daemon.file}: ${errorMessage(e)}`);
    }
  });
}

async function logOut(io: ActionIO, state: PostState, dir: string): Promise<void> {
  await io.group('Log out and clean up', async () => {
    if (!isOwnFolder(dir)) {
      io.warning(`Post refused to use or delete ${dir}: it is not a folder of this user's (a link, or gone).`);
      return;
    }
    for (const registry of state.registries) {
      io.info((await logout(registry, { DOCKER_CONFIG: dir })) ? `Logged out of ${registry}.` : `Logout of ${registry} failed; the config is deleted anyway.`);
    }
    removeDockerConfig(dir);
    io.info(`Removed ${dir}.`);
  });
}
