import { StageError } from '../errors.js';
import { execute } from '../exec.js';
import { assertRegistryHost } from '../oci/host.js';
import { DOCKER_HUB } from '../oci/name.js';
import { dockerError } from './docker-error.js';
import { withRetry, type RetryPolicy } from '../retry/retry.js';

const LOGIN_TIMEOUT_MS = 60 * 1000;

export interface Credentials {
  registry: string;
  username: string;
  password: string;
}

/** The registry operand, after `--` so that no name can be read as a flag; Docker Hub is the default, so none. */
function operand(registry: string): string[] {
  return registry === DOCKER_HUB ? [] : ['--', assertRegistryHost(registry)];
}

/** argv for docker login: the password is never here, it goes on stdin. Pure. */
export function loginArgs(registry: string, username: string): string[] {
  return ['login', '--username', username, '--password-stdin', ...operand(registry)];
}

export function logoutArgs(registry: string): string[] {
  return ['logout', ...operand(registry)];
}

/** Logs in with bounded retries on transient failures; a refused login fails at once. */
export async function login(creds: Credentials, dockerEnv: Record<string, string>, policy: RetryPolicy): Promise<void> {
  const res = await withRetry(async () => {
    const r = await execute('docker', loginArgs(creds.registry, creds.username), {
      env: dockerEnv,
      input: creds.password,
      timeoutMs: LOGIN_TIMEOUT_MS,
    });
    return { ok: r.code === 0, output: r.timedOut ? `login timed out after ${LOGIN_TIMEOUT_MS / 1000}s` : r.stderr + r.stdout };
  }, { ...policy, scope: creds.registry });
  if (res.ok) return;
  const detail = dockerError(res.output) ?? 'docker said nothing';
  if (res.kind === 'auth') {
    throw new StageError('login', `Registry ${creds.registry} rejected the credentials for user "${creds.username}" (${detail}). Check \`username\` and \`password\`: the password or token may be wrong, expired or lack push scope.`);
  }
  throw new StageError('login', `Could not log in to ${creds.registry} after ${res.attempts} attempt(s): ${detail}. Check \`registry\` and that the registry is reachable.`);
}

/** Best effort: the config directory is deleted afterwards anyway. */
export async function logout(registry: string, dockerEnv: Record<string, string>): Promise<boolean> {
  try {
    const r = await execute('docker', logoutArgs(registry), { env: dockerEnv, timeoutMs: 30 * 1000 });
    return r.code === 0;
  } catch {
    return false;
  }
}
