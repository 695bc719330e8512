import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One in-process HTTP service on 127.0.0.1:0, JSON in and out: what each part of the local Sigstore is built on. */
export abstract class LocalServer {
  private server?: http.Server;
  url = '';

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void>;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  protected static json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  protected static async body(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
}
