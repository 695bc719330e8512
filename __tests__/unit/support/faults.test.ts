import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpFaultRelay, TcpFaultRelay } from '../../support/faults.ts';

// The fault relays themselves, on loopback: each injects exactly its fault and counts it.

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A TCP sink that records what it got and answers `reply` to the first byte. */
async function sink(reply = Buffer.alloc(0)): Promise<{ port: number; got: () => number; closed: Promise<void> }> {
  let got = 0;
  let resolveClosed = (): void => undefined;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const server = net.createServer((sock) => {
    sock.once('data', () => sock.write(reply));
    sock.on('data', (c: Buffer) => (got += c.length));
    sock.on('close', resolveClosed);
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => void server.close());
  return { port: (server.address() as net.AddressInfo).port, got: () => got, closed };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

async function started<T extends TcpFaultRelay | HttpFaultRelay>(relay: T): Promise<T> {
  await relay.start();
  closers.push(() => relay.stop());
  return relay;
}

describe('TcpFaultRelay', () => {
  it('cuts client to server after exactly K bytes, once', async () => {
    const up = await sink();
    const relay = await started(new TcpFaultRelay({ host: '127.0.0.1', port: up.port }, { kind: 'cut', direction: 'up', afterBytes: 1000 }));
    const c = await connect(relay.port);
    c.on('error', () => undefined);
    c.write(Buffer.alloc(5000));
    await up.closed;
    expect(up.got()).toBe(1000);
    expect(relay.injected).toBe(1);
    const again = await connect(relay.port);
    again.end(Buffer.alloc(5000));
    await new Promise((r) => again.on('close', r));
    expect(relay.injected).toBe(1);
  });

  it('cuts server to client after exactly K bytes', async () => {
    const up = await sink(Buffer.alloc(10_000));
    const relay = await started(new TcpFaultRelay({ host: '127.0.0.1', port: up.port }, { kind: 'cut', direction: 'down', afterBytes: 4096 }));
    const c = await connect(relay.port);
    let got = 0;
    c.on('data', (d: Buffer) => (got += d.length));
    c.on('error', () => undefined);
    c.write('x');
    await new Promise((r) => c.on('close', r));
    expect(got).toBe(4096);
    expect(relay.injected).toBe(1);
  });

  it('resets the first N connections at connect', async () => {
    const up = await sink();
    const relay = await started(new TcpFaultRelay({ host: '127.0.0.1', port: up.port }, { kind: 'reset', count: 1 }));
    const err = await new Promise<NodeJS.ErrnoException>((r) => net.connect(relay.port, '127.0.0.1').on('error', r));
    expect(err.code).toBe('ECONNRESET');
    const second = await connect(relay.port);
    second.end('hello');
    await up.closed;
    expect(up.got()).toBe(5);
    expect(relay.injected).toBe(1);
  });

  it('stalls after K bytes, then delivers every byte', async () => {
    const up = await sink();
    const relay = await started(new TcpFaultRelay({ host: '127.0.0.1', port: up.port }, { kind: 'stall', direction: 'up', afterBytes: 100, stallMs: 1000 }));
    const c = await connect(relay.port);
    c.write(Buffer.alloc(1000));
    await until(() => up.got() >= 100);
    await new Promise((r) => setTimeout(r, 100));
    expect(up.got()).toBe(100); // silent while it stalls
    await until(() => up.got() >= 1000);
    expect(up.got()).toBe(1000);
    expect(relay.injected).toBe(1);
    c.destroy();
  });
});

describe('HttpFaultRelay', () => {
  it('answers 503 with Retry-After while the outage lasts, then 401, and counts both', async () => {
    const upstream = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    closers.push(() => void upstream.close());
    const port = (upstream.address() as net.AddressInfo).port;
    const relay = await started(new HttpFaultRelay({ host: '127.0.0.1', port }, { status: 503, forMs: 200, retryAfterS: 1, then: 401, armOn: /^GET \/v2\/x/ }));
    const get = (p: string) => fetch(`http://${relay.address}${p}`);
    expect((await get('/v2/')).status).toBe(200);
    const during = await get('/v2/x/blobs/uploads/');
    expect([during.status, during.headers.get('retry-after')]).toEqual([503, '1']);
    await new Promise((r) => setTimeout(r, 250));
    const after = await get('/v2/');
    expect([after.status, after.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="relay"']);
    expect([relay.injected, relay.refusedAfter, relay.relayed]).toEqual([1, 1, 1]);
  });
});
