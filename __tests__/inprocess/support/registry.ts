import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OCI distribution registry in the test process, on 127.0.0.1 port 0, holding everything in memory: blobs,
 * uploads (one PUT, a POST with the digest, or PATCH chunks), cross-repository mounts, manifests by tag and by
 * digest (a manifest whose blobs or children the repository lacks is refused, as distribution does), tags/list
 * with `n`/`last` pages and a Link, and Basic auth for the given users. It records every request, so a test can
 * say what a run sent. Only the protocol: what the real registries do differently stays in the e2e tier.
 */

export interface RegistryOptions {
  /** user → password; with none, every request is let in. */
  users?: Record<string, string>;
  /** Users who may read but get 403 DENIED on any write. */
  readOnly?: string[];
  /** A single-request upload larger than this is refused with 413, so the client must send chunks. */
  monolithicLimit?: number;
  /** DELETE of a manifest answers 405 UNSUPPORTED, as distribution without storage.delete.enabled. */
  noDelete?: boolean;
  /** Serves the OCI 1.1 referrers API from the `subject` of the manifests pushed (as ECR, ACR, Harbor, Zot do). */
  referrers?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  /** The user the request authenticated as, if any. */
  user?: string;
  /** Whether it carried an Authorization header at all (right or wrong). */
  authorization: boolean;
}

interface Stored {
  mediaType: string;
  bytes: Buffer;
}

interface Repository {
  blobs: Set<string>;
  manifests: Map<string, Stored>;
  tags: Map<string, string>;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const NAME = '[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*';
const ROUTES = {
  base: /^\/v2\/?$/,
  blob: new RegExp(`^/v2/(${NAME})/blobs/(sha256:[a-f0-9]{64})$`),
  uploads: new RegExp(`^/v2/(${NAME})/blobs/uploads/?$`),
  upload: new RegExp(`^/v2/(${NAME})/blobs/uploads/([0-9a-f-]{36})$`),
  manifest: new RegExp(`^/v2/(${NAME})/manifests/([A-Za-z0-9_.:-]+)$`),
  tags: new RegExp(`^/v2/(${NAME})/tags/list$`),
  referrers: new RegExp(`^/v2/(${NAME})/referrers/(sha256:[a-f0-9]{64})$`),
};

export class MemoryRegistry {
  readonly requests: SeenRequest[] = [];
  private readonly blobs = new Map<string, Buffer>();
  private readonly repos = new Map<string, Repository>();
  private readonly sessions = new Map<string, { repo: string; parts: Buffer[] }>();
  private server?: http.Server;
  port = 0;

  constructor(private readonly opts: RegistryOptions = {}) {}

  /** host:port, as an image name starts. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(parts), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.host;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server?.listening ? this.server.close(() => resolve()) : resolve()));
  }

  /** The tags of a repository, sorted; [] when it has none. */
  tags(repo: string): string[] {
    return [...(this.repos.get(repo)?.tags.keys() ?? [])].sort();
  }

  /** The manifest a tag or digest names, as stored. */
  manifest(repo: string, ref: string): (Stored & { digest: string }) | undefined {
    const r = this.repos.get(repo);
    const digest = DIGEST.test(ref) ? ref : r?.tags.get(ref);
    const m = digest ? r?.manifests.get(digest) : undefined;
    return m && digest ? { ...m, digest } : undefined;
  }

  /** A blob's bytes, when the repository links it. */
  blob(repo: string, digest: string): Buffer | undefined {
    return this.repos.get(repo)?.blobs.has(digest) ? this.blobs.get(digest) : undefined;
  }

  /** Seeds a blob straight into a repository (no request is recorded); returns its digest. */
  seedBlob(repo: string, data: Buffer): string {
    const digest = sha256(data);
    this.blobs.set(digest, data);
    this.repo(repo).blobs.add(digest);
    return digest;
  }

  /** Seeds a manifest under its digest and, with `tag`, under that tag; returns its digest. */
  seedManifest(repo: string, mediaType: string, bytes: Buffer, tag?: string): string {
    const digest = sha256(bytes);
    const missing = this.missingReferences(repo, bytes);
    if (missing) throw new Error(`seedManifest ${repo}: ${missing} is not in the repository`);
    this.repo(repo).manifests.set(digest, { mediaType, bytes });
    if (tag) this.repo(repo).tags.set(tag, digest);
    return digest;
  }

  private repo(name: string): Repository {
    let r = this.repos.get(name);
    if (!r) this.repos.set(name, (r = { blobs: new Set(), manifests: new Map(), tags: new Map() }));
    return r;
  }

  /** The first blob or child manifest a manifest names that the repository lacks. */
  private missingReferences(repo: string, bytes: Buffer): string | undefined {
    let doc: { config?: { digest?: string }; layers?: { digest?: string }[]; manifests?: { digest?: string }[] };
    try {
      doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
    } catch {
      return 'a manifest that is not JSON';
    }
    const r = this.repos.get(repo);
    for (const d of [doc.config?.digest, ...(doc.layers ?? []).map((l) => l.digest)]) if (d !== undefined && !r?.blobs.has(d)) return d;
    for (const m of doc.manifests ?? []) if (m.digest && !r?.manifests.has(m.digest)) return m.digest;
    return undefined;
  }

  /** The user a request authenticated as; false when it must be refused. */
  private authenticate(req: http.IncomingMessage): string | undefined | false {
    const users = this.opts.users;
    if (!users) return undefined;
    const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return colon > 0 && users[user] === password ? user : false;
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    const method = req.method ?? 'GET';
    const user = this.authenticate(req);
    this.requests.push({ method, path: `${url.pathname}${url.search}`, user: user || undefined, authorization: req.headers.authorization !== undefined });
    const send = (status: number, headers: http.OutgoingHttpHeaders = {}, data?: Buffer): void => {
      res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', 'content-length': String(data?.length ?? 0), ...headers });
      res.end(method === 'HEAD' ? undefined : data);
    };
    const error = (status: number, code: string, headers: http.OutgoingHttpHeaders = {}): void =>
      send(status, { 'content-type': 'application/json', ...headers }, Buffer.from(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, ' ') }] })));
    if (user === false) return error(401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="memory registry"' });
    const writes = method !== 'GET' && method !== 'HEAD';
    if (writes && user && this.opts.readOnly?.includes(user)) return error(403, 'DENIED');
    if (ROUTES.base.test(url.pathname)) return send(200, { 'content-type': 'application/json' }, Buffer.from('{}'));
    const r = { send, error, url, method, body };
    let m: RegExpExecArray | null;
    if ((m = ROUTES.blob.exec(url.pathname))) return this.onBlob(r, m[1], m[2]);
    if ((m = ROUTES.uploads.exec(url.pathname)) && method === 'POST') return this.onStartUpload(r, m[1], req);
    if ((m = ROUTES.upload.exec(url.pathname))) return this.onUpload(r, m[1], m[2], req);
    if ((m = ROUTES.manifest.exec(url.pathname))) return this.onManifest(r, m[1], m[2], req);
    if ((m = ROUTES.tags.exec(url.pathname)) && method === 'GET') return this.onTags(r, m[1]);
    if ((m = ROUTES.referrers.exec(url.pathname)) && method === 'GET' && this.opts.referrers) return this.onReferrers(r, m[1], m[2]);
    error(404, 'NOT_FOUND');
  }

  private onBlob(r: Exchange, repo: string, digest: string): void {
    const data = this.blob(repo, digest);
    if (r.method !== 'GET' && r.method !== 'HEAD') return r.error(405, 'UNSUPPORTED');
    if (!data) return r.error(404, 'BLOB_UNKNOWN');
    r.send(200, { 'content-type': 'application/octet-stream', 'docker-content-digest': digest }, data);
  }

  private sessionHeaders(repo: string, id: string): http.OutgoingHttpHeaders {
    const n = this.sessions.get(id)!.parts.reduce((sum, b) => sum + b.length, 0);
    return { location: `http://${this.host}/v2/${repo}/blobs/uploads/${id}`, range: `0-${Math.max(n - 1, 0)}`, 'docker-upload-uuid': id };
  }

  /** Stores a finished upload when its bytes hash to `digest`. */
  private finishBlob(r: Exchange, repo: string, digest: string, data: Buffer): void {
    if (!DIGEST.test(digest) || sha256(data) !== digest) return r.error(400, 'DIGEST_INVALID');
    this.seedBlob(repo, data);
    r.send(201, { location: `http://${this.host}/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
  }

  private onStartUpload(r: Exchange, repo: string, req: http.IncomingMessage): void {
    const mount = r.url.searchParams.get('mount');
    const from = r.url.searchParams.get('from');
    if (mount && from && this.blob(from, mount)) {
      this.repo(repo).blobs.add(mount);
      return r.send(201, { location: `http://${this.host}/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount });
    }
    const digest = r.url.searchParams.get('digest');
    if (digest) {
      if (this.tooLarge(req)) return r.error(413, 'SIZE_INVALID');
      return this.finishBlob(r, repo, digest, r.body);
    }
    const id = randomUUID();
    this.sessions.set(id, { repo, parts: [] });
    r.send(202, this.sessionHeaders(repo, id));
  }

  private tooLarge(req: http.IncomingMessage): boolean {
    return Number(req.headers['content-length'] ?? 0) > (this.opts.monolithicLimit ?? Infinity);
  }

  private onUpload(r: Exchange, repo: string, id: string, req: http.IncomingMessage): void {
    const session = this.sessions.get(id);
    if (!session || session.repo !== repo) return r.error(404, 'BLOB_UPLOAD_UNKNOWN');
    const size = session.parts.reduce((n, b) => n + b.length, 0);
    if (r.method === 'GET') return r.send(204, this.sessionHeaders(repo, id));
    if (r.method === 'DELETE') {
      this.sessions.delete(id);
      return r.send(204);
    }
    if (r.method === 'PATCH') {
      const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (range && Number(range[1]) !== size) return r.error(416, 'BLOB_UPLOAD_INVALID');
      session.parts.push(r.body);
      return r.send(202, this.sessionHeaders(repo, id));
    }
    if (r.method === 'PUT') {
      if (r.body.length && size === 0 && this.tooLarge(req)) return r.error(413, 'SIZE_INVALID');
      this.sessions.delete(id);
      return this.finishBlob(r, repo, r.url.searchParams.get('digest') ?? '', Buffer.concat([...session.parts, r.body]));
    }
    r.error(405, 'UNSUPPORTED');
  }

  private onManifest(r: Exchange, repo: string, ref: string, req: http.IncomingMessage): void {
    if (r.method === 'GET' || r.method === 'HEAD') {
      const m = this.manifest(repo, ref);
      if (!m) return r.error(404, 'MANIFEST_UNKNOWN');
      return r.send(200, { 'content-type': m.mediaType, 'docker-content-digest': m.digest }, m.bytes);
    }
    if (r.method === 'DELETE') return this.onDelete(r, repo, ref);
    if (r.method !== 'PUT') return r.error(405, 'UNSUPPORTED');
    const digest = sha256(r.body);
    if (DIGEST.test(ref) && ref !== digest) return r.error(400, 'DIGEST_INVALID');
    if (this.missingReferences(repo, r.body)) return r.error(400, 'MANIFEST_BLOB_UNKNOWN');
    const mediaType = String(req.headers['content-type'] ?? '').split(';')[0];
    this.repo(repo).manifests.set(digest, { mediaType, bytes: r.body });
    if (!DIGEST.test(ref)) this.repo(repo).tags.set(ref, digest);
    r.send(201, { location: `http://${this.host}/v2/${repo}/manifests/${digest}`, 'docker-content-digest': digest });
  }

  /** As distribution 2.x with delete enabled: by digest only, and the tags that name it go with it. */
  private onDelete(r: Exchange, repo: string, ref: string): void {
    if (this.opts.noDelete || !DIGEST.test(ref)) return r.error(405, 'UNSUPPORTED');
    const stored = this.repos.get(repo);
    if (!stored?.manifests.delete(ref)) return r.error(404, 'MANIFEST_UNKNOWN');
    for (const [tag, digest] of stored.tags) if (digest === ref) stored.tags.delete(tag);
    r.send(202);
  }

  /** The manifests of `repo` whose subject is `digest`, as an index. */
  private onReferrers(r: Exchange, repo: string, digest: string): void {
    const manifests = [...(this.repos.get(repo)?.manifests ?? [])].flatMap(([d, m]) => {
      const doc = JSON.parse(m.bytes.toString('utf8')) as { subject?: { digest?: string }; artifactType?: string; config?: { mediaType?: string } };
      return doc.subject?.digest === digest ? [{ mediaType: m.mediaType, digest: d, size: m.bytes.length, artifactType: doc.artifactType ?? doc.config?.mediaType }] : [];
    });
    r.send(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })));
  }

  private onTags(r: Exchange, repo: string): void {
    if (!this.repos.get(repo)?.manifests.size) return r.error(404, 'NAME_UNKNOWN');
    const n = Number(r.url.searchParams.get('n') ?? 0) || Infinity;
    const last = r.url.searchParams.get('last');
    const all = this.tags(repo).filter((t) => last === null || t > last);
    const page = all.slice(0, n);
    const more = all.length > page.length ? { link: `</v2/${repo}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1])}>; rel="next"` } : {};
    r.send(200, { 'content-type': 'application/json', ...more }, Buffer.from(JSON.stringify({ name: repo, tags: page })));
  }
}

interface Exchange {
  send: (status: number, headers?: http.OutgoingHttpHeaders, data?: Buffer) => void;
  error: (status: number, code: string) => void;
  url: URL;
  method: string;
  body: Buffer;
}
