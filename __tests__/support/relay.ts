import net from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a registry. For `outageMs` after its first connection it answers
 * every connection with `503 Service Unavailable`; after that it relays. Counts bytes sent upstream.
 */
export class FlakyRelay {
  private server?: net.Server;
  private firstAt?: number;
  private readonly sockets = new Set<net.Socket>();
  refused = 0;
  relayed = 0;
  bytesUp = 0;

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly outageMs: number,
  ) {}

  async start(): Promise<number> {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      this.firstAt ??= Date.now();
      if (Date.now() - this.firstAt < this.outageMs) {
        this.refused++;
        client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 20\r\nConnection: close\r\n\r\nregistry is down :(\n');
        return;
      }
      this.relayed++;
      const up = net.connect(this.upstream.port, this.upstream.host);
      this.sockets.add(up);
      up.on('close', () => this.sockets.delete(up));
      up.on('error', () => client.destroy());
      client.on('data', (c: Buffer) => (this.bytesUp += c.length));
      client.pipe(up).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
