import http from 'node:http';
import net from 'node:net';

/**
 * Fault-injection relays on 127.0.0.1, in front of a registry or the cache service: the one place the test suite
 * breaks the network on purpose. Each relay counts the faults it injected (`injected`), so a test asserts that its
 * fault really happened; a test where none happened must fail. 127.0.0.1:<port> is a registry address the engine
 * speaks plain HTTP to, so docker pushes and pulls through a relay without any daemon setting.
 *
 * - `TcpFaultRelay` works on bytes: reset at connect, cut after K bytes (client→server or server→client), a stall.
 * - `HttpFaultRelay` works on requests: 503 (or 429 with Retry-After) for a time, then optionally another status
 *   (a 401 in the middle of a retry sequence), then relays.
 */

export interface Upstream {
  host: string;
  port: number;
}

export type TcpFault =
  /** The first `count` connections are reset (TCP RST) as soon as they are accepted. */
  | { kind: 'reset'; count: number }
  /** The first `count` connections that carry more than `afterBytes` in `direction` are destroyed at that byte, both ways. */
  | { kind: 'cut'; direction: 'up' | 'down'; afterBytes: number; count?: number }
  /**
   * The first `count` connections that carry more than `afterBytes` in `direction` go silent for `stallMs` (no byte
   * either way), then go on; `Infinity` holds them silent until the peer gives up.
   */
  | { kind: 'stall'; direction: 'up' | 'down'; afterBytes: number; stallMs: number; count?: number }
  /** Relays untouched (a baseline, and the bench's byte counts). */
  | { kind: 'none' };

abstract class Listener {
  protected server?: net.Server;
  protected readonly sockets = new Set<net.Socket>();
  port = 0;

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  protected track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  protected async listen(server: net.Server): Promise<number> {
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server instanceof http.Server) this.server.closeAllConnections();
    await new Promise<void>((resolve) => (this.server?.listening ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A TCP relay that injects one kind of fault; see `TcpFault`. */
export class TcpFaultRelay extends Listener {
  /** Faults injected: connections reset, cut or stalled. */
  injected = 0;
  connections = 0;
  bytesUp = 0;
  bytesDown = 0;

  readonly upstream: Upstream;
  readonly fault: TcpFault;

  constructor(upstream: Upstream, fault: TcpFault) {
    super();
    this.upstream = upstream;
    this.fault = fault;
  }

  start(): Promise<number> {
    return this.listen(net.createServer((client) => this.accept(client)));
  }

  private accept(client: net.Socket): void {
    this.connections++;
    this.track(client);
    client.on('error', () => client.destroy());
    const f = this.fault;
    if (f.kind === 'reset' && this.injected < f.count) {
      this.injected++;
      client.resetAndDestroy();
      return;
    }
    const up = net.connect(this.upstream.port, this.upstream.host);
    this.track(up);
    const kill = (): void => {
      client.destroy();
      up.destroy();
    };
    up.on('error', kill);
    client.on('error', kill);
    const faulty = f.kind === 'cut' || f.kind === 'stall' ? f : undefined;
    let seen = { up: 0, down: 0 };
    let silent = false;
    const held: [net.Socket, Buffer][] = [];
    const forward = (from: net.Socket, to: net.Socket, dir: 'up' | 'down') => {
      from.on('data', (c: Buffer) => {
        if (dir === 'up') this.bytesUp += c.length;
        else this.bytesDown += c.length;
        if (silent) {
          held.push([to, c]);
          return;
        }
        if (faulty && faulty.direction === dir && this.injected < (faulty.count ?? 1) && seen[dir] + c.length > faulty.afterBytes) {
          this.injected++;
          const head = c.subarray(0, faulty.afterBytes - seen[dir]);
          seen = { up: -Infinity, down: -Infinity }; // this connection is not faulted twice
          silent = true;
          if (faulty.kind === 'cut') {
            // the bytes before the cut leave, then the connection drops both ways
            to.write(head, kill);
            setTimeout(kill, 50).unref();
            return;
          }
          to.write(head);
          held.push([to, c.subarray(head.length)]);
          client.pause();
          up.pause();
          if (Number.isFinite(faulty.stallMs)) {
            setTimeout(() => {
              silent = false;
              for (const [sock, bytes] of held.splice(0)) sock.write(bytes);
              client.resume();
              up.resume();
            }, faulty.stallMs).unref();
          }
          return;
        }
        seen[dir] += c.length;
        if (!to.write(c)) from.pause();
      });
      to.on('drain', () => !silent && from.resume());
      from.on('end', () => to.end());
    };
    forward(client, up, 'up');
    forward(up, client, 'down');
  }
}

export interface HttpFault {
  /** The status answered during the outage: 503, or 429 (with `Retry-After`). */
  status: number;
  /** How long the outage lasts, from the first request that `armOn` matches. */
  forMs: number;
  /** Retry-After in seconds, sent with each answer of the outage. */
  retryAfterS?: number;
  /** After the outage, this status for every request instead of relaying (a 401 in the middle of a retry sequence). */
  then?: 401;
  /** The outage starts at the first request whose `METHOD path` this matches; by default the first request. */
  armOn?: RegExp;
}

const CODES: Record<number, string> = { 503: 'UNAVAILABLE', 429: 'TOOMANYREQUESTS', 401: 'UNAUTHORIZED' };

/** An HTTP relay that answers `status` for a while (then `then`, or relays); see `HttpFault`. */
export class HttpFaultRelay extends Listener {
  /** Requests answered with the outage's status. */
  injected = 0;
  /** Requests answered with `then` (401). */
  refusedAfter = 0;
  relayed = 0;
  /** Request body bytes relayed to the registry. */
  bytesUp = 0;
  private armedAt?: number;

  readonly upstream: Upstream;
  readonly fault: HttpFault;

  constructor(upstream: Upstream, fault: HttpFault) {
    super();
    this.upstream = upstream;
    this.fault = fault;
  }

  start(): Promise<number> {
    return this.listen(http.createServer((req, res) => this.handle(req, res)));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string>): void {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', ...headers });
    res.end(JSON.stringify({ errors: [{ code: CODES[status], message: status === 401 ? 'authentication required' : 'not now' }] }));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const f = this.fault;
    if (this.armedAt === undefined && (!f.armOn || f.armOn.test(`${req.method} ${req.url}`))) this.armedAt = Date.now();
    if (this.armedAt !== undefined && Date.now() - this.armedAt < f.forMs) {
      this.injected++;
      return this.answer(req, res, f.status, f.retryAfterS !== undefined ? { 'retry-after': String(f.retryAfterS) } : {});
    }
    if (this.armedAt !== undefined && f.then) {
      this.refusedAfter++;
      return this.answer(req, res, f.then, { 'www-authenticate': 'Basic realm="relay"' });
    }
    this.relayed++;
    const up = http.request({ host: this.upstream.host, port: this.upstream.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.on('data', (c: Buffer) => (this.bytesUp += c.length));
    req.pipe(up);
  }
}
