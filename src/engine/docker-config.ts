/**
 * The Docker client config: the runner's (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), read and
 * parsed once per run, with the questions the run asks of it; and the job's own config folder, written for the
 * logins of this run so they never land in the user's.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalRegistry } from '../oci/name.js';

/** One `auths` entry as `docker login` writes it: basic credentials, or tokens only docker itself can use. */
export interface DockerAuth {
  username?: string;
  password?: string;
  /** An OAuth refresh token (`identitytoken`), exchanged by docker at the registry's token endpoint. */
  identityToken?: string;
  /** A bearer token (`registrytoken`) handed to the registry as it is. */
  registryToken?: string;
}

export interface DockerConfig {
  /** The folder it was read from: docker runs with DOCKER_CONFIG set to it when only docker can use what it holds. */
  dir: string;
  /** `auths` by canonical registry, each spelling of the key in file order (`https://index.docker.io/v1/`, `docker.io`). */
  auths: ReadonlyMap<string, readonly DockerAuth[]>;
  /** `credHelpers` by canonical registry: the `docker-credential-<name>` that holds its secret. */
  credHelpers: ReadonlyMap<string, string>;
  /** `credsStore`: the helper that holds the secrets of every other registry. */
  credsStore?: string;
  /** Why config.json is not used although it exists (not JSON, not an object): for a warning. */
  problem?: string;
}

/** Where the runner's docker config lives: DOCKER_CONFIG, else ~/.docker. */
export function userDockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

/** The registry an `auths` or `credHelpers` key names, as docker's ConvertToHostname reads it. Pure. */
export function configKeyRegistry(key: string): string {
  return canonicalRegistry(key.trim().replace(/^https?:\/\//i, '').split('/')[0]);
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** One `auths` entry: base64 `auth` (user:password, the password may hold ':'), or the username/password fields. Pure. */
export function parseAuth(entry: unknown): DockerAuth {
  const e = record(entry);
  const out: DockerAuth = { identityToken: text(e.identitytoken), registryToken: text(e.registrytoken) };
  const plain = text(e.auth) ? Buffer.from(e.auth as string, 'base64').toString('utf8') : '';
  const colon = plain.indexOf(':');
  if (colon > 0 && colon < plain.length - 1) [out.username, out.password] = [plain.slice(0, colon), plain.slice(colon + 1)];
  else if (text(e.username) && text(e.password)) [out.username, out.password] = [e.username as string, e.password as string];
  return out;
}

/** config.json's text as a DockerConfig; anything unreadable is an empty config that says why. Pure. */
export function parseDockerConfig(json: string, dir: string): DockerConfig {
  const empty = (problem?: string): DockerConfig => ({ dir, auths: new Map(), credHelpers: new Map(), problem });
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    return empty(`it is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return empty('it is not a JSON object');
  const d = record(doc);
  const auths = new Map<string, DockerAuth[]>();
  for (const [key, entry] of Object.entries(record(d.auths))) {
    const registry = configKeyRegistry(key);
    auths.set(registry, [...(auths.get(registry) ?? []), parseAuth(entry)]);
  }
  const credHelpers = new Map<string, string>();
  for (const [key, helper] of Object.entries(record(d.credHelpers))) {
    if (text(helper)) credHelpers.set(configKeyRegistry(key), helper as string);
  }
  return { dir, auths, credHelpers, credsStore: text(d.credsStore) };
}

/** The docker config in `dir`: a missing file is an empty config (nobody logged in), an unreadable one says why. */
export function readDockerConfig(dir: string): DockerConfig {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return parseDockerConfig('{}', dir);
  try {
    return parseDockerConfig(readFileSync(file, 'utf8'), dir);
  } catch (e) {
    return { ...parseDockerConfig('{}', dir), problem: `it cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Basic credentials the `auths` entries hold for the registry (the first spelling that has them). Pure. */
export function basicAuth(config: DockerConfig, registry: string): { username: string; password: string } | undefined {
  const hit = config.auths.get(registry)?.find((a) => a.username && a.password);
  return hit ? { username: hit.username!, password: hit.password! } : undefined;
}

/** The credential helper for the registry: its `credHelpers` entry (docker asks only that one). Pure. */
export function helperFor(config: DockerConfig, registry: string): string | undefined {
  return config.credHelpers.get(registry);
}

/** Whether a login may cover the registry: an `auths` entry, a helper for it, or a store that may hold any. Pure. */
export function holdsCredentials(config: DockerConfig, registry: string): boolean {
  return Boolean(config.credsStore) || config.auths.has(registry) || config.credHelpers.has(registry);
}

/** Credentials for the registry that only docker itself can use: a token, a helper, or an entry kept in the store. Pure. */
export function dockerOnlyCredentials(config: DockerConfig, registry: string): boolean {
  const entries = config.auths.get(registry) ?? [];
  if (entries.some((a) => a.identityToken || a.registryToken)) return true;
  return config.credHelpers.has(registry) || (entries.length > 0 && Boolean(config.credsStore));
}

/**
 * A Docker client config directory for this job only, under RUNNER_TEMP, so credentials never land in
 * the user's ~/.docker. The user's CLI plugins, buildx builders and docker contexts stay visible through symlinks.
 */
export function createDockerConfig(runnerTemp: string, userConfigDir: string): string {
  mkdirSync(runnerTemp, { recursive: true });
  const dir = mkdtempSync(path.join(runnerTemp, 'image-publish-docker-'));
  writeFileSync(path.join(dir, 'config.json'), '{}\n', { mode: 0o600 });
  // contexts too: a buildx builder of the docker driver is a docker context
  for (const sub of ['cli-plugins', 'buildx', 'contexts']) {
    const from = path.join(userConfigDir, sub);
    if (existsSync(from)) symlinkSync(from, path.join(dir, sub));
  }
  return dir;
}

export function removeDockerConfig(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
