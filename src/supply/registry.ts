import http from 'node:http';
import https from 'node:https';
import { digestOf, DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, type Blob } from './attest.js';

/*
 * A small registry client for the supply-chain step only: fetch a manifest or blob, push blobs monolithically,
 * put manifests. It is meant to be replaced by src/oci/client.ts (RegistryClient) once that lands.
 */

const TIMEOUT_MS = 60 * 1000;
const ATTEMPTS = 3;
const ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

export interface RegistryAccess {
  /** Canonical host[:port]. */
  registry: string;
  username?: string;
  password?: string;
  ca?: string;
  /** Plain HTTP: loopback registries and insecure-registries, as the engine treats them. */
  plainHttp: boolean;
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class RegistryError extends Error {}

/** Loopback hosts, where the engine speaks plain HTTP too. Pure. */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `Bearer realm="…",service="…"` -> its parameters. Pure. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  const params: Record<string, string> = {};
  for (const p of (m?.[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2];
  return { scheme: (m?.[1] ?? '').toLowerCase(), params };
}

/** A token realm may only be a host other than the registry's over https (or on loopback): credentials go nowhere else. Pure. */
export function realmAllowed(realm: string, registryOrigin: string): boolean {
  try {
    const r = new URL(realm);
    return r.origin === new URL(registryOrigin).origin || r.protocol === 'https:' || isLoopback(r.host);
  } catch {
    return false;
  }
}

function send(url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, ca: string | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, ca, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const transient = (status: number): boolean => status === 429 || status >= 500;

export class SupplyRegistry {
  private readonly origin: string;
  private readonly tokens = new Map<string, string>();

  constructor(private readonly access: RegistryAccess) {
    this.origin = `${access.plainHttp ? 'http' : 'https'}://${access.registry === 'docker.io' ? 'registry-1.docker.io' : access.registry}`;
  }

  private basic(): string | undefined {
    const { username, password } = this.access;
    return username && password ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : undefined;
  }

  private async token(challenge: string, repo: string): Promise<string | undefined> {
    const { scheme, params } = parseChallenge(challenge);
    if (scheme === 'basic') return this.basic();
    if (scheme !== 'bearer' || !params.realm) return undefined;
    if (!realmAllowed(params.realm, this.origin)) throw new RegistryError(`${this.access.registry} sends its token requests to ${params.realm}; credentials go there only over https.`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', `repository:${repo}:pull,push`);
    const basic = this.basic();
    const res = await send(url.toString(), 'GET', basic ? { authorization: basic } : {}, undefined, this.access.ca);
    if (res.status !== 200) throw new RegistryError(`${this.access.registry}: the token service answered HTTP ${res.status}.`);
    const body = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
    const t = body.token ?? body.access_token;
    return t ? `Bearer ${t}` : undefined;
  }

  /** One request, authorised as the registry's challenge asks; transient failures are retried, 401/403 never. */
  private async request(repo: string, method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Response> {
    const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${this.origin}${pathAndQuery}`;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        const auth = this.tokens.get(repo);
        res = await send(url, method, { ...headers, ...(auth ? { authorization: auth } : {}) }, body, this.access.ca);
        if (res.status === 401 && res.headers['www-authenticate']) {
          const auth2 = await this.token(res.headers['www-authenticate'], repo);
          if (auth2 && auth2 !== auth) {
            this.tokens.set(repo, auth2);
            res = await send(url, method, { ...headers, authorization: auth2 }, body, this.access.ca);
          }
        }
      } catch (e) {
        if (e instanceof RegistryError || attempt >= ATTEMPTS) throw new RegistryError(`${method} ${this.access.registry}/${repo}: ${e instanceof Error ? e.message : String(e)}`);
        await new Promise((r) => setTimeout(r, 500 * attempt));
        continue;
      }
      if (!transient(res.status) || attempt >= ATTEMPTS) return res;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }

  private fail(what: string, res: Response): never {
    const hint = res.status === 401 || res.status === 403 ? ' The registry refused access: the login must be allowed to push to this repository.' : '';
    throw new RegistryError(`${what} on ${this.access.registry}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200).trim()}.${hint}`);
  }

  async getManifest(repo: string, ref: string): Promise<{ bytes: Buffer; mediaType: string; digest: string } | undefined> {
    const res = await this.request(repo, 'GET', `/v2/${repo}/manifests/${ref}`, { accept: ACCEPT });
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.fail(`Reading ${repo}:${ref}`, res);
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0] || (JSON.parse(res.body.toString('utf8')) as { mediaType?: string }).mediaType || OCI_MANIFEST;
    return { bytes: res.body, mediaType, digest: digestOf(res.body) };
  }

  async getBlob(repo: string, digest: string): Promise<Buffer> {
    let res = await this.request(repo, 'GET', `/v2/${repo}/blobs/${digest}`);
    // registries redirect blobs to storage; follow once, without our credentials
    if ([301, 302, 307].includes(res.status) && res.headers.location) res = await send(new URL(res.headers.location, this.origin).toString(), 'GET', {}, undefined, this.access.ca);
    if (res.status !== 200) this.fail(`Reading blob ${digest} of ${repo}`, res);
    if (digestOf(res.body) !== digest) throw new RegistryError(`${this.access.registry}/${repo}: blob ${digest} does not match its digest.`);
    return res.body;
  }

  async pushBlob(repo: string, b: Blob): Promise<void> {
    const head = await this.request(repo, 'HEAD', `/v2/${repo}/blobs/${b.descriptor.digest}`);
    if (head.status === 200) return;
    const start = await this.request(repo, 'POST', `/v2/${repo}/blobs/uploads/`, { 'content-type': 'application/octet-stream' }, Buffer.alloc(0));
    if (start.status !== 202 || !start.headers.location) this.fail(`Starting an upload to ${repo}`, start);
    const loc = new URL(start.headers.location, this.origin);
    loc.searchParams.set('digest', b.descriptor.digest);
    const put = await this.request(repo, 'PUT', loc.toString(), { 'content-type': 'application/octet-stream' }, b.bytes);
    if (put.status !== 201) this.fail(`Uploading ${b.descriptor.digest} to ${repo}`, put);
  }

  /** PUT a manifest under a digest or a tag; returns the digest the registry stored it as. */
  async putManifest(repo: string, ref: string, m: Blob): Promise<string> {
    const res = await this.request(repo, 'PUT', `/v2/${repo}/manifests/${ref}`, { 'content-type': m.descriptor.mediaType }, m.bytes);
    if (res.status !== 201) this.fail(`Putting the manifest ${repo}:${ref}`, res);
    const stored = res.headers['docker-content-digest'];
    if (typeof stored === 'string' && stored !== m.descriptor.digest) throw new RegistryError(`${this.access.registry}/${repo}:${ref} was stored as ${stored}, not ${m.descriptor.digest}.`);
    return m.descriptor.digest;
  }
}
