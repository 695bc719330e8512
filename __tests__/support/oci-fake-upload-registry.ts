import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

/**
 * The blob-upload half of the distribution protocol as the OCI spec allows it, on 127.0.0.1, for what the
 * Debian registry does not do: it keeps the bytes of a cut request and reports them in `Range` (so a
 * client can resume), and it can refuse single-request uploads above `monolithicLimit` with 413 (so a
 * client must fall back to chunks). No auth. It records what clients did.
 */
export class FakeUploadRegistry {
  private server?: http.Server;
  private readonly sessions = new Map<string, Buffer[]>();
  readonly blobs = new Map<string, Buffer>();
  /** `start-end` of every PATCH received. */
  readonly patches: string[] = [];
  /** Offsets reported to status queries. */
  readonly reported: number[] = [];
  refused413 = 0;
  port = 0;

  constructor(private readonly monolithicLimit = Infinity) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private size(id: string): number {
    return (this.sessions.get(id) ?? []).reduce((n, b) => n + b.length, 0);
  }

  private sessionHeaders(repo: string, id: string): http.OutgoingHttpHeaders {
    const n = this.size(id);
    return { location: `/v2/${repo}/blobs/uploads/${id}`, range: `0-${Math.max(n - 1, 0)}`, 'docker-upload-uuid': id, 'content-length': '0' };
  }

  /** Appends the request body as it arrives, so a cut request leaves what got through. */
  private append(req: http.IncomingMessage, id: string, done: () => void): void {
    req.on('data', (c: Buffer) => this.sessions.get(id)?.push(Buffer.from(c)));
    req.on('end', done);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${this.address}`);
    const error = (status: number, code: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] }));
    };
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (blob) {
      const data = this.blobs.get(blob[2]);
      if (!data) return error(404, 'BLOB_UNKNOWN');
      res.writeHead(200, { 'content-length': String(data.length), 'docker-content-digest': blob[2] });
      return void res.end(req.method === 'HEAD' ? undefined : data);
    }
    if (req.method === 'POST' && /^\/v2\/(.+)\/blobs\/uploads\/$/.test(url.pathname)) {
      const repo = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(url.pathname)![1];
      const id = randomUUID();
      this.sessions.set(id, []);
      res.writeHead(202, this.sessionHeaders(repo, id));
      return void res.end();
    }
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/([0-9a-f-]+)$/.exec(url.pathname);
    if (!upload || !this.sessions.has(upload[2])) return error(404, 'BLOB_UPLOAD_UNKNOWN');
    const [, repo, id] = upload;
    if (req.method === 'GET') {
      this.reported.push(this.size(id));
      res.writeHead(204, this.sessionHeaders(repo, id));
      return void res.end();
    }
    if (req.method === 'PATCH') {
      const range = req.headers['content-range'] ?? '';
      this.patches.push(range);
      if (Number(range.split('-')[0]) !== this.size(id)) return error(416, 'BLOB_UPLOAD_INVALID');
      return this.append(req, id, () => {
        res.writeHead(202, this.sessionHeaders(repo, id));
        res.end();
      });
    }
    if (req.method === 'PUT') {
      const digest = url.searchParams.get('digest') ?? '';
      const finish = (): void => {
        const data = Buffer.concat(this.sessions.get(id)!);
        if (`sha256:${createHash('sha256').update(data).digest('hex')}` !== digest) return error(400, 'DIGEST_INVALID');
        this.blobs.set(digest, data);
        this.sessions.delete(id);
        res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' });
        res.end();
      };
      if (Number(req.headers['content-length'] ?? 0) > this.monolithicLimit) {
        this.refused413++;
        req.resume();
        req.on('end', () => error(413, 'SIZE_INVALID'));
        return;
      }
      return this.append(req, id, finish);
    }
    error(405, 'UNSUPPORTED');
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
