import { errorMessage, StageError } from '../errors.js';
import type { PostState } from '../state.js';
import type { RegistryLogin } from '../inputs/registry-auth.js';
import { createDockerConfig } from './docker-config.js';
import { login } from './login.js';
import type { RetryPolicy } from '../retry/retry.js';
import { trustCa } from './trust.js';
import { allowInsecure } from './insecure.js';

export interface SessionLog {
  info(m: string): void;
  warning(m: string): void;
}

/**
 * Logs in to every registry, into a Docker config for this job only, after trusting each registry's CA.
 * `post` is updated (and `persist` called) before each change, so post can undo whatever happened.
 */
export async function openSession(
  logins: readonly RegistryLogin[],
  insecure: readonly string[],
  runner: { runnerTemp: string; runId?: number },
  userConfigDir: string,
  post: PostState,
  persist: () => void,
  policy: RetryPolicy,
  log: SessionLog,
): Promise<Record<string, string>> {
  if (insecure.length) {
    try {
      await allowInsecure(insecure, (change) => {
        post.daemonConfig = change;
        persist();
      });
    } catch (e) {
      throw new StageError('login', `Could not let the Docker engine use plain HTTP for ${insecure.join(', ')} (input 'insecure-registries'): ${errorMessage(e)}.`);
    }
    log.warning(`The engine talks plain HTTP to ${insecure.join(', ')} until the post step, as insecure-registries asks.`);
  }
  if (!logins.length) return {};
  post.dockerConfig = createDockerConfig(runner.runnerTemp, userConfigDir);
  persist();
  const dockerEnv = { DOCKER_CONFIG: post.dockerConfig };
  for (const l of logins) {
    if (l.ca) {
      try {
        await trustCa(l.registry, l.ca, (change) => {
          (post.trust ??= []).push(change);
          persist();
        }, { runId: runner.runId });
      } catch (e) {
        throw new StageError('login', `Could not make the Docker engine trust the CA given for ${l.registry}: ${errorMessage(e)}.`);
      }
      log.info(`The engine trusts the given CA for ${l.registry} until the post step.`);
    }
    await login({ registry: l.registry, username: l.username, password: l.password }, dockerEnv, policy);
    post.registries.push(l.registry);
    persist();
    log.info(`Logged in to ${l.registry} as ${l.username}.`);
  }
  return dockerEnv;
}
