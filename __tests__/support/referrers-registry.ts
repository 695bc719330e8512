import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Upstream } from './faults.ts';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const NAME = '[a-z0-9]+(?:[._/-][a-z0-9]+)*';
const REFERRERS = new RegExp(`^/v2/(${NAME})/referrers/(sha256:[0-9a-f]{64})(?:\\?(.*))?$`);
const MANIFEST = new RegExp(`^/v2/(${NAME})/manifests/([^/?]+)$`);

/**
 * A FAKE of a registry that serves the OCI 1.1 referrers API (ECR, ACR, Harbor, Zot do; the Debian registry does
 * not): a relay on 127.0.0.1 in front of the Debian registry that relays everything, indexes each manifest pushed
 * with a `subject` (answering `OCI-Subject` as the distribution spec asks), and answers
 * `GET /v2/<name>/referrers/<digest>` from that index, after the same credentials check the registry makes.
 */
export class ReferrersRegistry {
  private server?: http.Server;
  private readonly index = new Map<string, Descriptor[]>();
  port = 0;
  /** Referrers requests answered. */
  queries = 0;

  constructor(readonly upstream: Upstream) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The referrers of `repo@digest` the fake knows, as it would list them. */
  referrers(repo: string, digest: string): Descriptor[] {
    return this.index.get(`${repo}@${digest}`) ?? [];
  }

  private relay(req: http.IncomingMessage, body: Buffer | undefined, onAnswer: (status: number, headers: http.IncomingHttpHeaders) => Record<string, string>, res: http.ServerResponse): void {
    const up = http.request({ host: this.upstream.host, port: this.upstream.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, ...onAnswer(upRes.statusCode ?? 502, upRes.headers) });
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    if (body) up.end(body);
    else req.pipe(up);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const q = REFERRERS.exec(req.url ?? '');
    if (req.method === 'GET' && q) return this.list(req, res, q[1], q[2], new URLSearchParams(q[3] ?? ''));
    const m = MANIFEST.exec(req.url ?? '');
    if (req.method !== 'PUT' || !m) return this.relay(req, undefined, () => ({}), res);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    let doc: { subject?: Descriptor; artifactType?: string; config?: Descriptor; annotations?: Record<string, string>; mediaType?: string } = {};
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch {
      // not ours to judge: the registry answers
    }
    this.relay(req, body, (status, headers): Record<string, string> => {
      if (status !== 201 || !doc.subject) return {};
      const digest = (headers['docker-content-digest'] as string | undefined) ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
      const key = `${m[1]}@${doc.subject.digest}`;
      const d: Descriptor = { mediaType: doc.mediaType ?? String(req.headers['content-type']), digest, size: body.length, artifactType: doc.artifactType ?? doc.config?.mediaType, ...(doc.annotations ? { annotations: doc.annotations } : {}) };
      this.index.set(key, [...(this.index.get(key) ?? []).filter((x) => x.digest !== digest), d]);
      return { 'oci-subject': doc.subject.digest };
    }, res);
  }

  /** The registry's own answer to `GET /v2/` with these credentials decides whether the caller may list. */
  private list(req: http.IncomingMessage, res: http.ServerResponse, repo: string, digest: string, params: URLSearchParams): void {
    const check = http.request({ host: this.upstream.host, port: this.upstream.port, method: 'GET', path: '/v2/', headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} }, (upRes) => {
      upRes.resume();
      if (upRes.statusCode !== 200) {
        res.writeHead(upRes.statusCode ?? 401, { 'content-type': 'application/json', ...(upRes.headers['www-authenticate'] ? { 'www-authenticate': upRes.headers['www-authenticate'] } : {}) });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      this.queries++;
      const type = params.get('artifactType');
      const manifests = this.referrers(repo, digest).filter((d) => !type || d.artifactType === type);
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', ...(type ? { 'oci-filters-applied': 'artifactType' } : {}) });
      res.end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
    });
    check.on('error', () => res.destroy());
    check.end();
  }
}
