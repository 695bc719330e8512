import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Handler, RecordedRequest } from './github-api.ts';

/**
 * A FAKE of ghcr.io as the action sees it, on 127.0.0.1, in front of a real registry (a distribution with delete
 * enabled, or the in-process one): `/v2/…` is passed to that registry, except a DELETE of a manifest, which gets 405
 * UNSUPPORTED as from ghcr.io; beside it, the GitHub Packages API of the user `owner`'s container packages. A version
 * is a manifest this front saw pushed that the registry still has, named by its digest, with the tags that name it;
 * deleting a version deletes that manifest in the registry behind. `/orgs/…` is 404 (the owner is a user). Every other
 * API route goes to `fallback`. It is a fake: only what the action asks of GHCR, as GitHub documents it.
 */
export interface FakeGhcrOptions {
  /** host:port of the registry behind (plain HTTP). */
  backend: string;
  /** The Authorization the front sends the registry for its own reads and deletes. */
  backendAuth?: string;
  owner: string;
  /** The token the Packages API takes (Bearer). */
  token: string;
  fallback?: Handler;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json';

export class FakeGhcr {
  readonly api: RecordedRequest[] = [];
  /** Every /v2/ request the front got, method and path. */
  readonly registry: { method: string; path: string }[] = [];
  private readonly pushed = new Map<string, string[]>();
  private readonly ids = new Map<string, number>();
  private server?: http.Server;
  port = 0;

  constructor(private readonly opts: FakeGhcrOptions) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get apiUrl(): string {
    return `http://${this.host}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(parts))
          .then((a) => {
            res.writeHead(a.status, a.headers);
            res.end(req.method === 'HEAD' ? undefined : a.body);
          })
          .catch((e: unknown) => {
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end(String(e));
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server?.listening ? this.server.close(() => resolve()) : resolve()));
  }

  private forward(method: string, path: string, headers: http.IncomingHttpHeaders, body?: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const h = { ...headers, host: this.opts.backend };
      const r = http.request(`http://${this.opts.backend}${path}`, { method, headers: h, timeout: 20000 }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      });
      r.on('timeout', () => r.destroy(new Error('backend timed out')));
      r.on('error', reject);
      r.end(body?.length ? body : undefined);
    });
  }

  private async handle(req: http.IncomingMessage, body: Buffer): Promise<Answer> {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    if (!path.startsWith('/v2/') && path !== '/v2') return this.onApi({ method, path, authorization: req.headers.authorization, body: body.toString() });
    this.registry.push({ method, path });
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (manifest && method === 'DELETE') return json(405, { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] });
    const a = await this.forward(method, path, req.headers, body);
    const location = a.headers.location;
    if (typeof location === 'string') a.headers.location = location.replace(`http://${this.opts.backend}`, `http://${this.host}`);
    if (manifest && method === 'PUT' && a.status === 201) {
      const digest = String(a.headers['docker-content-digest']);
      this.pushed.set(manifest[1], [...(this.pushed.get(manifest[1]) ?? []), digest]);
      if (!this.ids.has(digest)) this.ids.set(digest, 1000 + this.ids.size);
    }
    return a;
  }

  private backendHeaders(): http.IncomingHttpHeaders {
    return { accept: ACCEPT, ...(this.opts.backendAuth ? { authorization: this.opts.backendAuth } : {}) };
  }

  /** The versions of a package: the manifests pushed through here that the registry still has, with their tags. */
  private async versions(repo: string): Promise<{ id: number; name: string; metadata: { package_type: string; container: { tags: string[] } } }[]> {
    const list = await this.forward('GET', `/v2/${repo}/tags/list`, this.backendHeaders());
    const tags = list.status === 200 ? ((JSON.parse(list.body.toString()) as { tags?: string[] | null }).tags ?? []) : [];
    const byDigest = new Map<string, string[]>();
    for (const t of tags) {
      const head = await this.forward('HEAD', `/v2/${repo}/manifests/${t}`, this.backendHeaders());
      const d = String(head.headers['docker-content-digest'] ?? '');
      if (head.status === 200 && d) byDigest.set(d, [...(byDigest.get(d) ?? []), t]);
    }
    const out = [];
    for (const d of new Set(this.pushed.get(repo) ?? [])) {
      const head = await this.forward('HEAD', `/v2/${repo}/manifests/${d}`, this.backendHeaders());
      if (head.status === 200) out.push({ id: this.ids.get(d)!, name: d, metadata: { package_type: 'container', container: { tags: byDigest.get(d) ?? [] } } });
    }
    return out.sort((a, b) => b.id - a.id);
  }

  private async onApi(rec: RecordedRequest): Promise<Answer> {
    this.api.push(rec);
    const url = new URL(rec.path, 'http://fake');
    const m = /^\/(users|orgs)\/([^/]+)\/packages\/container\/([^/]+)\/versions(?:\/(\d+))?$/.exec(url.pathname);
    if (!m) {
      const out = this.opts.fallback?.(rec) ?? { status: 404, body: { message: 'Not Found' } };
      return json(out.status, out.body);
    }
    if (rec.authorization !== `Bearer ${this.opts.token}`) return json(401, { message: 'Bad credentials' });
    const repo = `${m[2]}/${decodeURIComponent(m[3])}`;
    if (m[1] === 'orgs' || m[2] !== this.opts.owner) return json(404, { message: 'Not Found' });
    const versions = await this.versions(repo);
    if (rec.method === 'GET' && !m[4]) {
      const per = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      return json(200, versions.slice((page - 1) * per, page * per));
    }
    const version = versions.find((v) => v.id === Number(m[4]));
    if (!version) return json(404, { message: 'Not Found' });
    if (rec.method !== 'DELETE') return json(200, version);
    const del = await this.forward('DELETE', `/v2/${repo}/manifests/${version.name}`, this.backendHeaders());
    return del.status === 202 ? { status: 204, headers: {}, body: Buffer.alloc(0) } : json(500, { message: `registry answered ${del.status}` });
  }
}

function json(status: number, body: unknown): Answer {
  const data = Buffer.from(body === undefined ? '' : JSON.stringify(body));
  return { status, headers: { 'content-type': 'application/json', 'content-length': String(data.length) }, body: data };
}
