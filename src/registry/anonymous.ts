import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { isLoopbackHost } from './headers.js';
import { apiHost } from './catalog.js';
import { canonicalRegistry } from '../oci/name.js';

const PROBE_TIMEOUT_MS = 5 * 1000;

/** Registries a Docker config file holds credentials for; `all` when a credential store may hold any. Pure. */
export function configRegistries(configJson: string): { all: boolean; registries: string[] } {
  try {
    const c = JSON.parse(configJson) as { auths?: Record<string, unknown>; credHelpers?: Record<string, unknown>; credsStore?: string };
    const keys = [...Object.keys(c.auths ?? {}), ...Object.keys(c.credHelpers ?? {})];
    return { all: Boolean(c.credsStore), registries: keys.map(canonicalRegistry) };
  } catch {
    return { all: false, registries: [] };
  }
}

/** The registries of `wanted` that no login covers: the job's own logins, else what the user's Docker config holds. */
export function registriesWithoutLogin(wanted: readonly string[], logins: readonly string[], userConfigDir: string): string[] {
  const unique = [...new Set(wanted)];
  // with logins, the job gets a Docker config of its own, which holds those logins and nothing else
  if (logins.length) return unique.filter((r) => !logins.includes(r));
  const file = path.join(userConfigDir, 'config.json');
  const known = existsSync(file) ? configRegistries(readFileSync(file, 'utf8')) : { all: false, registries: [] };
  return known.all ? [] : unique.filter((r) => !known.registries.includes(r));
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
export async function checkPushAccess(registries: readonly string[], logins: readonly string[], insecure: readonly string[], userConfigDir: string): Promise<void> {
  for (const registry of registriesWithoutLogin(registries, logins, userConfigDir)) {
    if ((await anonymousAccess(registry, insecure.includes(registry))) !== 'auth') continue;
    throw new InputError(
      'images',
      `${registry} asks for credentials, and there is no login for it; add it to \`registry-auth\` (or set \`registry\`, \`username\` and \`password\`), or set \`push: false\`.`,
    );
  }
}
