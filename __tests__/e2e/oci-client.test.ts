// @module-tag no-engine (no build, push, pull, daemon setting or action run: runs beside the files that use the engine)
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError, type ClientOptions } from '../../src/registry/client.ts';
import type { RetryPolicy } from '../../src/retry/retry.ts';
import { FakeUploadRegistry } from '../support/oci-fake-upload-registry.ts';
import { CuttingRelay, OutageProxy } from '../support/oci-relay.ts';
import { TokenProxy } from '../support/oci-token-proxy.ts';
import { services, uniqueRepo } from '../support/services.ts';

const s = services();
const creds = { username: s.user, password: s.password };
const ca = readFileSync(s.caFile, 'utf8');

function policy(retries = 6): RetryPolicy {
  return { retries, totalMs: 2 * 60 * 1000, random: Math.random, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 1500))), onRetry: () => undefined };
}

function client(opts: Partial<ClientOptions> & { registry: string }, log: string[] = []): RegistryClient {
  return new RegistryClient({ policy: policy(), log: (m) => log.push(m), ...opts });
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function blob(size: number): { ref: { digest: string; size: number }; data: Buffer } {
  const data = randomBytes(size);
  return { ref: { digest: sha(data), size }, data };
}

/** A config and a manifest that references it and one layer: enough for any registry to accept. */
function image(layer: { digest: string; size: number }): { config: Buffer; manifest: Buffer } {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] }, config: {} }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
    }),
  );
  return { config, manifest };
}

/** skopeo's view of a manifest: a check by another tool. Credentials go in an auth file, never in argv. */
function skopeoRaw(registry: string, repo: string, ref: string, tls: 'off' | 'ca'): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oci-skopeo-'));
  const authfile = path.join(dir, 'auth.json');
  writeFileSync(authfile, JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }), { mode: 0o600 });
  const tlsArgs = tls === 'off' ? ['--tls-verify=false'] : ['--cert-dir', certDir(dir)];
  const sep = ref.startsWith('sha256:') ? '@' : ':';
  return execFileSync('skopeo', ['inspect', '--raw', '--authfile', authfile, ...tlsArgs, `docker://${registry}/${repo}${sep}${ref}`], { timeout: 60 * 1000 });
}

function certDir(dir: string): string {
  const d = path.join(dir, 'certs');
  mkdirSync(d);
  writeFileSync(path.join(d, 'ca.crt'), ca);
  return d;
}

const registries = [
  { name: 'HTTP with htpasswd (Basic)', opts: { registry: s.registry, credentials: creds }, tls: 'off' as const },
  { name: 'TLS by name, CA given only to the client', opts: { registry: s.tlsRegistry, credentials: creds, ca }, tls: 'ca' as const },
  { name: 'plain HTTP on ::1 with insecure', opts: { registry: s.v6HttpRegistry, credentials: creds, insecure: true }, tls: 'off' as const },
];

describe.each(registries)('push and read back: $name', ({ opts, tls }) => {
  it('uploads a new blob, finds it, mounts it elsewhere, pushes by digest then tag, and skopeo reads the same manifest', async () => {
    const log: string[] = [];
    const c = client(opts, log);
    const repoA = uniqueRepo('oci-a');
    const repoB = uniqueRepo('oci-b');
    const layer = blob(1536 * 1024 + 7);
    expect(await c.hasBlob(repoA, layer.ref.digest)).toBe(false);
    expect(await c.pushBlob(repoA, layer.ref, () => layer.data)).toBe('uploaded');
    expect(c.stats.bytesUploaded).toBe(layer.data.length);
    expect(await c.hasBlob(repoA, layer.ref.digest)).toBe(true);
    expect(sha(await c.getBlob(repoA, layer.ref.digest, layer.ref.size))).toBe(layer.ref.digest);
    const tooBig = (await c.getBlob(repoA, layer.ref.digest, layer.ref.size - 1).catch((e: unknown) => e)) as RegistryError;
    expect([tooBig.kind, tooBig.message]).toEqual(['fatal', expect.stringMatching(/the answer is larger than 1572870 bytes$/)]);
    expect(await c.pushBlob(repoA, layer.ref, () => layer.data)).toBe('exists');
    expect(await c.pushBlob(repoB, layer.ref, () => Buffer.alloc(0), [repoA])).toBe('mounted');
    expect(c.stats).toMatchObject({ blobsUploaded: 1, blobsExisting: 1, blobsMounted: 1, bytesUploaded: layer.data.length, retries: 0 });
    // a source that lacks the blob: the registry opens an upload session instead, and the blob goes up through it
    const other = blob(1000);
    expect(await c.pushBlob(repoB, other.ref, () => other.data, [repoA])).toBe('uploaded');
    expect(c.stats).toMatchObject({ blobsUploaded: 2, blobsMounted: 1, bytesUploaded: layer.data.length + 1000 });
    expect(await c.hasBlob(repoB, other.ref.digest)).toBe(true);

    const { config, manifest } = image(layer.ref);
    expect(await c.pushBlob(repoB, { digest: sha(config), size: config.length }, () => config)).toBe('uploaded');
    const type = 'application/vnd.oci.image.manifest.v1+json';
    expect(await c.headManifest(repoB, 'v1')).toBeUndefined();
    expect(await c.putManifest(repoB, sha(manifest), type, manifest)).toBe(sha(manifest));
    expect(await c.listTags(repoB)).toEqual([]);
    expect(await c.putManifest(repoB, 'v1', type, manifest)).toBe(sha(manifest));

    const got = await c.getManifest(repoB, 'v1');
    expect(got).toEqual({ mediaType: type, digest: sha(manifest), bytes: manifest });
    expect(await c.headManifest(repoB, 'v1')).toEqual({ mediaType: type, digest: sha(manifest), size: manifest.length });
    expect((await c.getManifest(repoB, sha(manifest))).digest).toBe(sha(manifest));
    expect(await c.getBlob(repoB, sha(config))).toEqual(config);
    expect(await c.listTags(repoB)).toEqual(['v1']);
    // skopeo cannot parse [::1] in a reference: it reads the same registry by a name that maps to ::1
    expect(sha(skopeoRaw(opts.registry.replace('[::1]', 'registry.image-publish.test'), repoB, 'v1', tls))).toBe(sha(manifest));
    expect(log).toEqual([]);
    c.close();
  });
});

describe('trust and transport', () => {
  it('refuses the TLS registry when its CA is not given, without retrying', async () => {
    const c = client({ registry: s.tlsRegistry, credentials: creds });
    const err = await c.headManifest('any/repo', 'latest').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).message).toMatch(/certificate/i);
    expect((err as RegistryError).kind).toBe('fatal');
    expect(c.stats.retries).toBe(0);
  });

  it('speaks plain HTTP to a non-loopback name only when told it is insecure', async () => {
    const registry = s.v6HttpRegistry.replace('[::1]', 'registry.image-publish.test');
    const refused = await client({ registry, credentials: creds })
      .listTags('any/repo')
      .catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/does not speak TLS/);
    expect(await client({ registry, credentials: creds, insecure: true }).listTags(uniqueRepo('oci-none'))).toEqual([]);
  });

  it('a loopback HTTP server that sits silent on a TLS hello is reached over plain HTTP after the probe watchdog', async () => {
    const heads: string[] = [];
    const server = net.createServer((socket) => {
      let got = '';
      socket.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (!got.includes('\r\n\r\n')) return; // a TLS hello has no blank line: wait, as a naive server does
        heads.push(got.split('\r\n')[0]);
        const body = JSON.stringify({ name: 'team/app', tags: ['x'] });
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      });
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = client({ registry: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, timeouts: { stallMs: 1000 } });
      expect(await c.listTags('team/app')).toEqual(['x']);
      expect(heads).toEqual(['GET /v2/team/app/tags/list?n=1000 HTTP/1.1']);
      expect(c.stats.retries).toBe(0);
    } finally {
      server.close();
    }
  });

  it('a wrong password is a final "check credentials" error that holds no secret', async () => {
    const c = client({ registry: s.registry, credentials: { username: s.user, password: 'not-the-password-xyz' } });
    const err = (await c.pushBlob(uniqueRepo('oci-denied'), blob(10).ref, () => Buffer.alloc(10)).catch((e: unknown) => e)) as RegistryError;
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/^cannot push e2e\/oci-denied-\S+ on 127\.0\.0\.1:5000: check credentials \(HTTP 401/);
    expect(err.message).not.toContain('not-the-password-xyz');
    expect(c.stats.retries).toBe(0);
  });

  it('without credentials, reading a private registry says so', async () => {
    const err = (await client({ registry: s.registry })
      .getManifest('base/jre', '17')
      .catch((e: unknown) => e)) as RegistryError;
    expect(err.message).toMatch(/^cannot read base\/jre on 127\.0\.0\.1:5000: check credentials .*no credentials were found/);
  });
});

describe('credentials stay on the registry origin', () => {
  /** A registry on 127.0.0.1 that pages its tags and redirects blob reads, and an "elsewhere" that records what reaches it. */
  async function pair(linkTo: 'self' | 'elsewhere') {
    const elsewhere: { url: string; authorization?: string }[] = [];
    const blobData = Buffer.from('blob kept elsewhere');
    const other = http.createServer((req, res) => {
      elsewhere.push({ url: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(req.url?.includes('/blobs/') ? blobData : JSON.stringify({ tags: ['stolen'] }));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
    const otherOrigin = `http://127.0.0.2:${(other.address() as net.AddressInfo).port}`;
    const registry = http.createServer((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return void res.end();
      }
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.includes('/blobs/')) {
        res.writeHead(307, { location: `${otherOrigin}/storage/blobs/x?signature=abc` });
        return void res.end();
      }
      const last = url.searchParams.get('last');
      const next = linkTo === 'self' ? `/v2/team/app/tags/list?n=2&last=b` : `${otherOrigin}/v2/team/app/tags/list?n=2&last=b`;
      res.writeHead(200, last ? {} : { link: `<${next}>; rel="next"` });
      res.end(JSON.stringify({ tags: last ? ['c'] : ['a', 'b'] }));
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    const c = client({ registry: `127.0.0.1:${(registry.address() as net.AddressInfo).port}`, credentials: { username: 'u', password: 'p' } });
    const stop = () => {
      for (const srv of [registry, other]) {
        srv.closeAllConnections();
        srv.close();
      }
    };
    return { c, elsewhere, blobData, stop };
  }

  it('follows a Link on the same origin', async () => {
    const p = await pair('self');
    try {
      expect(await p.c.listTags('team/app')).toEqual(['a', 'b', 'c']);
    } finally {
      p.stop();
    }
  });

  it('refuses a Link to another origin, which hears nothing', async () => {
    const p = await pair('elsewhere');
    try {
      await expect(p.c.listTags('team/app')).rejects.toThrow(/Link header points to another origin \(http:\/\/127\.0\.0\.2:\d+\); it is not followed/);
      expect(p.elsewhere).toEqual([]);
    } finally {
      p.stop();
    }
  });

  it('follows a blob redirect to another origin without the credentials, and checks the digest', async () => {
    const p = await pair('self');
    try {
      expect(await p.c.getBlob('team/app', sha(p.blobData))).toEqual(p.blobData);
      expect(p.elsewhere).toEqual([{ url: '/storage/blobs/x?signature=abc', authorization: undefined }]);
      await expect(p.c.getBlob('team/app', sha(Buffer.from('other bytes')))).rejects.toThrow(/digest mismatch/);
    } finally {
      p.stop();
    }
  });
});

describe('Bearer tokens from a token service', () => {
  const [host, port] = s.registry.split(':');
  const proxy = new TokenProxy({ host, port: Number(port), authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}` }, 'token-user', 'token-pass');
  beforeAll(() => proxy.start());
  afterAll(() => proxy.stop());

  it('asks for push,pull on the target and pull on the mount source, caches the token, and mounts', async () => {
    const c = client({ registry: proxy.address, credentials: { username: 'token-user', password: 'token-pass' } });
    const repoA = uniqueRepo('oci-tok-a');
    const repoB = uniqueRepo('oci-tok-b');
    const layer = blob(4096);
    expect(await c.pushBlob(repoA, layer.ref, () => layer.data)).toBe('uploaded');
    expect(proxy.tokenRequests).toEqual([[`repository:${repoA}:pull,push`]]);
    const second = blob(2048);
    expect(await c.pushBlob(repoA, second.ref, () => second.data)).toBe('uploaded');
    expect(proxy.tokenRequests).toHaveLength(1); // the cached token served the second push
    expect(await c.pushBlob(repoB, layer.ref, () => layer.data, [repoA])).toBe('mounted');
    const wanted = [`repository:${repoA}:pull`, `repository:${repoB}:pull,push`].sort();
    expect(proxy.tokenRequests.slice(1).map((r) => [...r].sort())).toContainEqual(wanted);
    expect(await c.hasBlob(repoB, layer.ref.digest)).toBe(true);
    expect(c.stats).toMatchObject({ blobsUploaded: 2, blobsMounted: 1, retries: 0 });
  });

  it('bad credentials at the token service are final', async () => {
    const c = client({ registry: proxy.address, credentials: { username: 'token-user', password: 'wrong-secret-123' } });
    const err = (await c.listTags(uniqueRepo('oci-tok')).catch((e: unknown) => e)) as RegistryError;
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain('wrong-secret-123');
    expect(c.stats.retries).toBe(0);
  });
});

describe('faults on the way', () => {
  const [host, port] = s.registry.split(':');
  const upstream = { host, port: Number(port) };

  it('a connection cut after 1 MiB of an upload to the Debian registry restarts that blob, which lands with its digest', async () => {
    const relay = new CuttingRelay(upstream, 1024 * 1024);
    const relayPort = await relay.start();
    try {
      const log: string[] = [];
      const c = client({ registry: `127.0.0.1:${relayPort}`, credentials: creds }, log);
      const repo = uniqueRepo('oci-cut');
      const layer = blob(3 * 1024 * 1024 + 11);
      expect(await c.pushBlob(repo, layer.ref, () => layer.data)).toBe('uploaded');
      expect(relay.cut).toBe(1);
      expect(c.stats.retries).toBeGreaterThanOrEqual(1);
      expect(log.join('\n')).toMatch(/ECONNRESET|EPIPE|cut|socket/i);
      const direct = client({ registry: s.registry, credentials: creds });
      expect(sha(await direct.getBlob(repo, layer.ref.digest))).toBe(layer.ref.digest);
    } finally {
      await relay.stop();
    }
  });

  it.each([503, 429])('%i for 3 seconds (Retry-After: 1) is ridden out: blob and manifest land with the same digest', async (status) => {
    const relay = new OutageProxy(upstream, 3000);
    relay.status = status;
    const relayPort = await relay.start();
    try {
      const log: string[] = [];
      const c = client({ registry: `127.0.0.1:${relayPort}`, credentials: creds }, log);
      const repo = uniqueRepo(`oci-${status}`);
      const layer = blob(512 * 1024);
      expect(await c.pushBlob(repo, layer.ref, () => layer.data)).toBe('uploaded');
      const { config, manifest } = image(layer.ref);
      await c.pushBlob(repo, { digest: sha(config), size: config.length }, () => config);
      expect(await c.putManifest(repo, 'v1', 'application/vnd.oci.image.manifest.v1+json', manifest)).toBe(sha(manifest));
      expect(relay.refused).toBeGreaterThan(0);
      expect(c.stats.retries).toBe(relay.refused);
      expect(log[0]).toMatch(new RegExp(`^HEAD e2e/oci-${status}-\\S+ on 127\\.0\\.0\\.1:\\d+: HTTP ${status}; retry 1 of 6`));
      expect((await client({ registry: s.registry, credentials: creds }).getManifest(repo, 'v1')).digest).toBe(sha(manifest));
    } finally {
      await relay.stop();
    }
  });

  it('an upload that stalls (no byte for the watchdog time) is abandoned and that blob pushed again', async () => {
    const relay = new CuttingRelay(upstream, 1024 * 1024, 1, 'stall');
    const relayPort = await relay.start();
    try {
      const log: string[] = [];
      const c = client({ registry: `127.0.0.1:${relayPort}`, credentials: creds, timeouts: { stallMs: 1500 } }, log);
      const repo = uniqueRepo('oci-stall');
      const layer = blob(3 * 1024 * 1024);
      expect(await c.pushBlob(repo, layer.ref, () => layer.data)).toBe('uploaded');
      expect(relay.cut).toBe(1);
      expect(log.join('\n')).toMatch(/stalled, no byte moved for 1.5 s; retry 1 of 6/);
      expect(await client({ registry: s.registry, credentials: creds }).hasBlob(repo, layer.ref.digest)).toBe(true);
    } finally {
      await relay.stop();
    }
  });

  /** The blob's bytes as pushBlob takes them: in memory, or a file read from disk range by range. */
  const source = (from: 'memory' | 'file', data: Buffer): (() => Buffer | { file: string }) => {
    if (from === 'memory') return () => data;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-blobfile-')), 'blob');
    writeFileSync(file, data);
    return () => ({ file });
  };

  it.each(['memory', 'file'] as const)('a cut upload resumes from the Range the registry reports, where the registry keeps what it got (from %s)', async (from) => {
    const fake = new FakeUploadRegistry();
    await fake.start();
    const relay = new CuttingRelay({ host: '127.0.0.1', port: fake.port }, 1024 * 1024);
    const relayPort = await relay.start();
    try {
      const log: string[] = [];
      const c = client({ registry: `127.0.0.1:${relayPort}`, chunkBytes: 1024 * 1024 }, log);
      const layer = blob(3 * 1024 * 1024 + 5);
      expect(await c.pushBlob('team/app', layer.ref, source(from, layer.data))).toBe('uploaded');
      expect(relay.cut).toBe(1);
      const offset = fake.reported.find((n) => n > 0);
      expect(offset).toBeGreaterThan(0);
      expect(fake.patches[0]).toBe(`${offset}-${Math.min(offset! + 1024 * 1024, layer.data.length) - 1}`);
      expect(c.stats).toMatchObject({ uploadsResumed: 1, blobsUploaded: 1, retries: 1 });
      expect(log.join('\n')).toContain(`resumed at byte ${offset}`);
      expect(sha(fake.blobs.get(layer.ref.digest)!)).toBe(layer.ref.digest);
    } finally {
      await relay.stop();
      await fake.stop();
    }
  });

  it.each(['memory', 'file'] as const)('a registry that refuses one large PUT (413) gets the blob in chunks (from %s)', async (from) => {
    const fake = new FakeUploadRegistry(1024 * 1024);
    await fake.start();
    try {
      const c = client({ registry: fake.address, chunkBytes: 1024 * 1024 });
      const layer = blob(2 * 1024 * 1024 + 9);
      expect(await c.pushBlob('team/app', layer.ref, source(from, layer.data))).toBe('uploaded');
      expect(fake.refused413).toBe(1);
      expect(fake.patches).toEqual(['0-1048575', '1048576-2097151', `2097152-${layer.data.length - 1}`]);
      expect(sha(fake.blobs.get(layer.ref.digest)!)).toBe(layer.ref.digest);
      expect(await c.hasBlob('team/app', layer.ref.digest)).toBe(true);
    } finally {
      await fake.stop();
    }
  });

  it('a 401 in the middle of a retry sequence stops the retries at once', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.headers.authorization ? 'auth' : 'anon'}`);
      if (seen.length === 1) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('down');
        return;
      }
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = client({ registry: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, credentials: creds });
      const err = (await c.getManifest('team/app', 'v1').catch((e: unknown) => e)) as RegistryError;
      expect(err.kind).toBe('auth');
      expect(err.message).toMatch(/^cannot read team\/app on 127\.0\.0\.1:\d+: check credentials/);
      expect(c.stats.retries).toBe(1);
      expect(seen).toEqual(['GET anon', 'GET anon', 'GET auth']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
