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
const EMPTY = Buffer.alloc(0);

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'raw';

/** Follows one connection's request stream and reports each byte as included or excluded. */
function requestCounter(exclude: (path: string) => boolean, counts: RelayCounts, requests?: Pending): (data: Buffer) => void {
  let state: State = 'head';
  let pending: Buffer = EMPTY;
  let remaining = 0;
  let excluded = false;
  const count = (n: number) => {
    requests?.add(n);
    if (excluded) counts.excluded += n;
    else counts.counted += n;
  };
  const giveUp = (n: number) => {
    state = 'raw';
    excluded = false;
    counts.unparsed++;
    count(n);
  };
  return (chunk: Buffer) => {
    counts.total += chunk.length;
    let data: Buffer = chunk;
    while (data.length > 0) {
      if (state === 'raw') {
        count(data.length);
        return;
      }
      if (state === 'body' || state === 'chunk-data' || state === 'chunk-end') {
        const n = Math.min(remaining, data.length);
        count(n);
        remaining -= n;
        data = data.subarray(n);
        if (remaining === 0) {
          if (state === 'body') state = 'head';
          else if (state === 'chunk-data') [state, remaining] = ['chunk-end', 2];
          else state = 'chunk-size';
        }
        continue;
      }
      // line-based states: head (up to a blank line), chunk-size and trailer (one line each)
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      data = EMPTY;
      const sep = state === 'head' ? '\r\n\r\n' : '\r\n';
      const end = pending.indexOf(sep);
      if (end < 0) {
        if (pending.length > HEAD_LIMIT) {
          giveUp(pending.length);
          pending = EMPTY;
        }
        return;
      }
      const unit = pending.subarray(0, end + sep.length);
      data = pending.subarray(end + sep.length);
      pending = EMPTY;
      const text = unit.toString('latin1');
      if (state === 'head') {
        const [requestLine, ...headerLines] = text.split('\r\n');
        const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
        if (!m) {
          giveUp(unit.length + data.length);
          return;
        }
        counts.requests++;
        excluded = exclude(m[2]);
        requests?.open(m[1], m[2], excluded);
        count(unit.length);
        const headers = new Map<string, string>();
        for (const l of headerLines) {
          const colon = l.indexOf(':');
          if (colon > 0) headers.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
        }
        if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) state = 'chunk-size';
        else {
          const length = Number(headers.get('content-length') ?? '0');
          if (!Number.isFinite(length) || length < 0) {
            giveUp(data.length);
            return;
          }
          if (length > 0) [state, remaining] = ['body', length];
        }
      } else if (state === 'chunk-size') {
        count(unit.length);
        const size = parseInt(text.split(';')[0].trim(), 16);
        if (!Number.isFinite(size)) {
          giveUp(data.length);
          return;
        }
        if (size === 0) state = 'trailer';
        else [state, remaining] = ['chunk-data', size];
      } else {
        count(unit.length);
        if (unit.length === 2) state = 'head';
      }
    }
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
