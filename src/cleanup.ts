import { saveCaches } from './cache/caches.js';
import { errorMessage } from './errors.js';
import type { ActionIO } from './io.js';
import { removeDockerConfig } from './engine/docker-config.js';
import { logout } from './engine/login.js';
import { removeDaemonChange } from './engine/insecure.js';
import { restoreTrust } from './engine/trust.js';
import { loadState } from './state.js';

/** The post step: save caches after a good run, then log out and delete the job's Docker config, whatever main did. */
export async function runPost(io: ActionIO): Promise<void> {
  const state = loadState(io.state);
  if (state.cache) {
    const cache = state.cache;
    await io.group('Save caches', async () => {
      if (!state.succeeded) io.info('The main step did not finish: no cache is saved.');
      else await saveCaches(cache, io);
    });
  }
  const daemon = state.daemonConfig;
  if (state.trust?.length || daemon?.added.length) {
    await io.group('Restore the engine trust', async () => {
      for (const c of state.trust ?? []) {
        try {
          const done = await restoreTrust(c);
          io.info(done === 'left' ? `${c.file} was changed by someone else since: left as it is.` : `${done === 'removed' ? 'Removed' : 'Restored'} ${c.file}.`);
        } catch (e) {
          io.warning(`Could not restore ${c.file}: ${errorMessage(e)}`);
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
  if (!state.dockerConfig) return;
  const dir = state.dockerConfig;
  await io.group('Log out and clean up', async () => {
    for (const registry of state.registries) {
      io.info((await logout(registry, { DOCKER_CONFIG: dir })) ? `Logged out of ${registry}.` : `Logout of ${registry} failed; the config is deleted anyway.`);
    }
    removeDockerConfig(dir);
    io.info(`Removed ${dir}.`);
  });
}
