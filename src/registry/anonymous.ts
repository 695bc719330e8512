import { holdsCredentials, type DockerConfig } from '../engine/docker-config.js';
import { InputError } from '../errors.js';
import { isLoopbackHost } from './headers.js';
import { apiHost } from './catalog.js';

const PROBE_TIMEOUT_MS = 5 * 1000;

/** The registries of `wanted` that no login covers: the job's own logins, else what the user's Docker config holds. Pure. */
export function registriesWithoutLogin(wanted: readonly string[], logins: readonly string[], userConfig: DockerConfig): string[] {
  const unique = [...new Set(wanted)];
  // with logins, the job gets a Docker config of its own, which holds those logins and nothing else
  if (logins.length) return unique.filter((r) => !logins.includes(r));
  return unique.filter((r) => !holdsCredentials(userConfig, r));
}

/** What a registry's /v2/ answers without credentials: 'open', 'auth' (401: a push would be refused), or 'unknown'. */
export async function anonymousAccess(registry: string, plainHttp: boolean): Promise<'open' | 'auth' | 'unknown'> {
  const scheme = plainHttp || isLoopbackHost(registry) ? 'http' : 'https';
  try {
    const res = await fetch(`${scheme}://${apiHost(registry)}/v2/`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'manual' });
    await res.body?.cancel();
    return res.status === 401 ? 'auth' : res.ok ? 'open' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Before any build: an image whose registry has no login and asks for credentials cannot be pushed, so the run stops
 * here (an error, not a warning: the registry has said it will refuse, and finding out after the build costs the
 * build). A registry that cannot be asked is left to the push.
 */
export async function checkPushAccess(registries: readonly string[], logins: readonly string[], insecure: readonly string[], userConfig: DockerConfig): Promise<void> {
  for (const registry of registriesWithoutLogin(registries, logins, userConfig)) {
    if ((await anonymousAccess(registry, insecure.includes(registry))) !== 'auth') continue;
    throw new InputError(
      'images',
      `${registry} asks for credentials, and there is no login for it; add it to \`registry-auth\` (or set \`registry\`, \`username\` and \`password\`), or set \`push: false\`.`,
    );
  }
}
