/**
 * A byte-counting TCP relay for the bench: listens on a free 127.0.0.1 port and forwards every
 * connection to the registry (127.0.0.1:5000 by default). It counts client→server bytes only.
 *
 * Requests are followed with a small HTTP/1.1 parser (request line, headers, Content-Length or chunked
 * bodies) only to attribute bytes: requests whose path matches `exclude` (the base image pull, which
 * the action must make through this address to have credentials for it) are counted apart. Bytes are
 * forwarded untouched whatever the parser thinks; a stream it cannot follow is counted as included.
 *
 * Everything binds and connects to 127.0.0.1 only. The relay stops itself after `maxLifetimeMs`.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { follower, framingOf, headerMap } from './frames.ts';
import { Pending, responseTracker, type RequestRecord } from './requests.ts';

export interface RelayCounts {
  /** Every client→server byte. */
  total: number;
  /** Bytes of requests not matched by `exclude` (what the bench reports as "uploaded"). */
  counted: number;
  /** Bytes of requests matched by `exclude`. */
  excluded: number;
  requests: number;
  /** Connections whose requests the parser could not follow (then counted whole). */
  unparsed: number;
}

export interface Relay {
  host: string;
  port: number;
  /** `host:port`, to use as a registry address. */
  address: string;
  counts(): RelayCounts;
  stop(): Promise<void>;
}

export interface RelayOptions {
  targetHost?: string;
  targetPort?: number;
  exclude?: (path: string) => boolean;
  maxLifetimeMs?: number;
  /** Each request as its answer comes (or its connection closes): method, path, bytes sent, status. */
  onRequest?: (r: RequestRecord) => void;
}

const HEAD_LIMIT = 256 * 1024;

/** Follows one connection's request stream and reports each byte as included or excluded. */
function requestCounter(exclude: (path: string) => boolean, counts: RelayCounts, requests?: Pending): (data: Buffer) => void {
  let excluded = false;
  let lost = false;
  const follow = follower({
    headLimit: HEAD_LIMIT,
    onHead(text) {
      const [requestLine, ...headerLines] = text.split('\r\n');
      const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
      if (!m) return 'lost';
      counts.requests++;
      excluded = exclude(m[2]);
      requests?.open(m[1], m[2], excluded);
      return framingOf(headerMap(headerLines));
    },
    onBytes(n) {
      requests?.add(n);
      if (excluded) counts.excluded += n;
      else counts.counted += n;
    },
    // a stream the parser cannot follow is counted whole, as included
    onLost(n) {
      if (!lost) counts.unparsed++;
      lost = true;
      requests?.add(n);
      counts.counted += n;
    },
  });
  return (chunk: Buffer) => {
    counts.total += chunk.length;
    follow(chunk);
  };
}

export async function startRelay(opts: RelayOptions = {}): Promise<Relay> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  const targetPort = opts.targetPort ?? 5000;
  const exclude = opts.exclude ?? (() => false);
  const counts: RelayCounts = { total: 0, counted: 0, excluded: 0, requests: 0, unparsed: 0 };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect({ host: targetHost, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    const requests = opts.onRequest ? new Pending(opts.onRequest) : undefined;
    const close = () => {
      requests?.flush();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', requestCounter(exclude, counts, requests));
    if (requests) upstream.on('data', responseTracker(requests));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.close(() => resolve());
    });
    return stopped;
  };
  const lifetime = setTimeout(() => void stop(), opts.maxLifetimeMs ?? 2 * 60 * 60 * 1000);
  lifetime.unref();

  return { host: '127.0.0.1', port, address: `127.0.0.1:${port}`, counts: () => ({ ...counts }), stop };
}
