import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

export type Handler = (req: RecordedRequest) => { status: number; body?: unknown } | undefined;

/** A stand-in for the GitHub REST API on 127.0.0.1 that records every request it gets. */
export class FakeGitHubApi {
  readonly requests: RecordedRequest[] = [];
  private server?: http.Server;
  constructor(private readonly handler: Handler) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const rec: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', authorization: req.headers.authorization, body };
        this.requests.push(rec);
        const out = this.handler(rec) ?? { status: 404, body: { message: 'Not Found' } };
        res.writeHead(out.status, { 'content-type': 'application/json' });
        res.end(out.body === undefined ? '' : JSON.stringify(out.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
