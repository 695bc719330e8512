import { X509Certificate } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import { parseRegistry } from '../oci/host.js';

/** One registry to log in to; `ca` is PEM text the engine should trust for it. */
export interface RegistryLogin {
  registry: string;
  username: string;
  password: string;
  ca?: string;
}

/** Checks that `pem` holds at least one parseable X.509 certificate; throws naming the input. Pure. */
export function checkPem(input: string, pem: string): string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new InputError(input, 'is not a PEM certificate; paste the CA certificate, starting with -----BEGIN CERTIFICATE-----.');
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch {
      throw new InputError(input, 'holds a PEM block that is not a valid X.509 certificate; paste the CA certificate as issued.');
    }
  }
  return `${blocks.join('\n')}\n`;
}

function field(entry: Record<string, unknown>, name: string, i: number): string {
  const v = entry[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string' && typeof v !== 'number') throw new InputError('registry-auth', `entry ${i + 1}: \`${name}\` must be a string.`);
  return String(v).trim();
}

export interface AuthDefaults {
  /** github.actor and github-token, used for ghcr.io when an entry gives no credentials. */
  actor: string;
  token: string;
}

function ghcrDefaults(login: RegistryLogin, d: AuthDefaults, input: string): RegistryLogin {
  if (login.registry !== 'ghcr.io' || login.username || login.password) return login;
  if (!d.token) throw new InputError(input, 'ghcr.io needs a token: pass `github-token` (with packages: write) or a username and password.');
  return { ...login, username: d.actor, password: d.token };
}

function complete(login: RegistryLogin, where: string, input: string): RegistryLogin {
  if (!login.username) throw new InputError(input, `${where} has no username; add \`username\`.`);
  if (!login.password) throw new InputError(input, `${where} has no password; add \`password\` from a secret.`);
  return login;
}

/** The `registry-auth` input: a YAML list of {registry, username, password, ca}, as login-action takes it. Pure. */
export function parseRegistryAuth(raw: string, d: AuthDefaults, warn: (m: string) => void = () => undefined): RegistryLogin[] {
  let doc: unknown;
  try {
    doc = parseYaml(raw);
  } catch (e) {
    const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new InputError('registry-auth', `is not valid YAML${line ? ` (line ${line})` : ''}; write a list such as "- registry: ghcr.io\\n  username: …\\n  password: …".`);
  }
  if (!Array.isArray(doc) || doc.length === 0) throw new InputError('registry-auth', 'must be a YAML list of entries with registry, username and password.');
  const seen = new Set<string>();
  return doc.map((entry: unknown, i) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new InputError('registry-auth', `entry ${i + 1} is not a mapping of registry, username, password and ca.`);
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['registry', 'username', 'password', 'ca'].includes(k));
    if (unknown.length) throw new InputError('registry-auth', `entry ${i + 1} has unknown key(s) ${unknown.join(', ')}; use registry, username, password and ca.`);
    const registry = parseRegistry(field(e, 'registry', i), 'registry-auth', warn);
    if (seen.has(registry)) throw new InputError('registry-auth', `lists ${registry} twice; keep one entry per registry.`);
    seen.add(registry);
    const caRaw = field(e, 'ca', i);
    const login: RegistryLogin = { registry, username: field(e, 'username', i), password: field(e, 'password', i), ca: caRaw ? checkPem('registry-auth', caRaw) : undefined };
    return complete(ghcrDefaults(login, d, 'registry-auth'), `entry ${i + 1} (${registry})`, 'registry-auth');
  });
}

/** The single-registry inputs as a login list: empty when there is nothing to log in with. Pure. */
export function singleLogin(registry: string, username: string, password: string, ca: string, d: AuthDefaults, warn: (m: string) => void = () => undefined): RegistryLogin[] {
  const login: RegistryLogin = { registry: parseRegistry(registry, 'registry', warn), username, password, ca: ca.trim() ? checkPem('registry-ca', ca) : undefined };
  const filled = ghcrDefaults(login, d, 'github-token');
  if (!filled.username && !filled.password) return [];
  if (filled.password && !filled.username) throw new InputError('username', 'a password is set but no username; set `username` for the registry.');
  if (filled.username && !filled.password) throw new InputError('password', `username "${filled.username}" has no password; pass it from a secret in \`password\`.`);
  return [filled];
}

const SECRET_NAME = /(TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL)/i;

/** build-args whose name looks like a secret: they end up in the image history, secrets do not. Pure. */
export function secretLookingArgs(args: readonly [string, string][]): string[] {
  return args.map(([k]) => k).filter((k) => SECRET_NAME.test(k));
}
