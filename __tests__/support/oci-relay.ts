import http from 'node:http';
import net from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a registry that cuts connections: the first `cuts` connections
 * that carry more than `cutAfterBytes` bytes client to server are destroyed at that byte, both ways.
 * With `stall`, such a connection is not cut but goes silent: the relay stops reading and forwarding,
 * and holds it open. It counts what it did, so a test can tell that the fault really happened.
 */
export class CuttingRelay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Connections it cut (or stalled). */
  cut = 0;
  connections = 0;
  bytesUp = 0;

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly cutAfterBytes: number,
    private readonly cuts = 1,
    private readonly mode: 'cut' | 'stall' = 'cut',
  ) {}

  async start(): Promise<number> {
    this.server = net.createServer((client) => {
      this.connections++;
      const up = net.connect(this.upstream.port, this.upstream.host);
      for (const s of [client, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          up.destroy();
        });
      }
      let seen = 0;
      client.on('data', (c: Buffer) => {
        this.bytesUp += c.length;
        if (this.cut < this.cuts && seen + c.length > this.cutAfterBytes) {
          this.cut++;
          up.write(c.subarray(0, this.cutAfterBytes - seen));
          seen = Infinity;
          if (this.mode === 'stall') {
            client.pause();
            up.unpipe(client);
            return;
          }
          client.destroy();
          up.destroy();
          return;
        }
        if (seen === Infinity) return;
        seen += c.length;
        if (!up.write(c)) client.pause();
      });
      up.on('drain', () => seen !== Infinity && client.resume());
      client.on('end', () => up.end());
      up.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * An HTTP relay on 127.0.0.1 in front of a registry that answers every request with 503 (and
 * `Retry-After: 1`) for `outageMs` after the first one, HEAD included, then relays. Counts the 503s.
 */
export class OutageProxy {
  /** 503, or 429 (too many requests) with the same Retry-After. */
  status = 503;
  private server?: http.Server;
  private firstAt?: number;
  refused = 0;
  relayed = 0;

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly outageMs: number,
  ) {}

  async start(): Promise<number> {
    this.server = http.createServer((req, res) => {
      this.firstAt ??= Date.now();
      if (Date.now() - this.firstAt < this.outageMs) {
        this.refused++;
        req.resume();
        res.writeHead(this.status, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ errors: [{ code: this.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'not now' }] }));
        return;
      }
      this.relayed++;
      const up = http.request({ host: this.upstream.host, port: this.upstream.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
