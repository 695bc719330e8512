import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RegistryLogin } from '../inputs/registry-auth.js';
import { userDockerConfigDir } from '../engine/config.js';
import { canonicalRegistry } from '../oci/name.js';
import type { Credentials } from './auth.js';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string } | undefined>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The server name docker's credential helpers know a registry by: Hub's v1 URL, else the host. Pure. */
export function helperServer(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

/** Credentials from one `auths` entry: base64 `auth` (user:password) or username/password fields. Pure. */
export function fromAuthEntry(entry: { auth?: string; username?: string; password?: string } | undefined): Credentials | undefined {
  if (!entry) return undefined;
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0 && colon < plain.length - 1) return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

/** The `auths` entry for a registry, whichever way `docker login` spelled its key. Pure. */
export function authEntryFor(config: DockerConfig, registry: string): Credentials | undefined {
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (canonicalRegistry(key.replace(/\/v[12]\/?$/, '')) === registry) {
      const creds = fromAuthEntry(entry);
      if (creds) return creds;
    }
  }
  return undefined;
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

function readConfig(dir: string): DockerConfig {
  try {
    const doc = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as DockerConfig) : {};
  } catch {
    return {};
  }
}

/**
 * Credentials for a registry: the action's inputs first, then the runner's docker config (an earlier
 * `docker login`: its credHelpers entry, its `auths` entry, then its credsStore), else undefined for
 * anonymous access. Identity tokens (OAuth refresh tokens) are not used.
 */
export function credentialsFor(registry: string, logins: readonly RegistryLogin[], dockerConfigDir?: string): Credentials | undefined {
  const canonical = canonicalRegistry(registry);
  const login = logins.find((l) => canonicalRegistry(l.registry) === canonical && l.username && l.password);
  if (login) return { username: login.username, password: login.password };
  const config = readConfig(dockerConfigDir ?? userDockerConfigDir(process.env));
  const helper = config.credHelpers?.[canonical] ?? (canonical === 'docker.io' ? config.credHelpers?.[helperServer(canonical)] : undefined);
  if (helper) return fromHelper(helper, canonical);
  return authEntryFor(config, canonical) ?? (config.credsStore ? fromHelper(config.credsStore, canonical) : undefined);
}
