import { execFileSync } from 'node:child_process';
import type { RegistryLogin } from '../inputs/registry-auth.js';
import { basicAuth, helperFor, type DockerConfig } from '../engine/docker-config.js';
import { canonicalRegistry } from '../oci/name.js';
import type { Credentials } from './auth.js';

/** The server name docker's credential helpers know a registry by: Hub's v1 URL, else the host. Pure. */
export function helperServer(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

/** The environment a credential helper needs (its store and session), nothing of the action's own. */
function helperEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'PASSWORD_STORE_DIR', 'GNUPGHOME'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

/**
 * Asks `docker-credential-<helper> get`, as docker does; the server name goes on stdin, the secret comes
 * back on stdout. A helper that is missing, fails or answers with an identity token gives nothing.
 */
function fromHelper(helper: string, registry: string): Credentials | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) return undefined;
  try {
    const out = execFileSync(`docker-credential-${helper}`, ['get'], { input: helperServer(registry), env: helperEnv(), timeout: 10 * 1000, stdio: ['pipe', 'pipe', 'ignore'], encoding: 'utf8' });
    const doc = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
    if (typeof doc.Username !== 'string' || typeof doc.Secret !== 'string' || !doc.Secret || doc.Username === '<token>') return undefined;
    return { username: doc.Username, password: doc.Secret };
  } catch {
    return undefined;
  }
}

/**
 * Credentials for a registry: the action's inputs first, then the runner's docker config (an earlier
 * `docker login`: its credHelpers entry, its `auths` entry, then its credsStore), else undefined for
 * anonymous access. Identity tokens (OAuth refresh tokens) are not used.
 */
export function credentialsFor(registry: string, logins: readonly RegistryLogin[], config?: DockerConfig): Credentials | undefined {
  const canonical = canonicalRegistry(registry);
  const login = logins.find((l) => canonicalRegistry(l.registry) === canonical && l.username && l.password);
  if (login) return { username: login.username, password: login.password };
  if (!config) return undefined;
  const helper = helperFor(config, canonical);
  if (helper) return fromHelper(helper, canonical);
  return basicAuth(config, canonical) ?? (config.credsStore ? fromHelper(config.credsStore, canonical) : undefined);
}
