/** Blobs are streamed to disk with size and digest checks: a manifest-declared size is a claim, not an allocation. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../../../src/registry/client.js';
import { copyBlob } from '../../../src/registry/copy.js';
import type { RetryPolicy } from '../../../src/retry/retry.js';
import { FakeUploadRegistry } from '../../support/oci-fake-upload-registry.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const policy: RetryPolicy = { retries: 3, totalMs: 30 * 1000, random: () => 0, sleep: async () => undefined, onRetry: () => undefined };
const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-blob-'));

/** A registry that serves, for each digest, whatever bytes the test says (the truth or a lie). */
let served = new Map<string, Buffer>();
let hits = 0;
let server: http.Server;
let registry = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    const m = /^\/v2\/[^/]+\/[^/]+\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '');
    const body = m ? served.get(m[1]) : undefined;
    if (!body) {
      res.writeHead(req.url === '/v2/' ? 200 : 404, { 'content-length': '0' });
      return void res.end();
    }
    res.writeHead(200, { 'content-length': String(body.length) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registry = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (reg = registry): RegistryClient => new RegistryClient({ registry: reg, policy });
const layer = randomBytes(300 * 1024 + 3);
const ref = { digest: sha(layer), size: layer.length };

async function download(body: Buffer): Promise<{ error?: RegistryError; file: string; hits: number }> {
  served = new Map([[ref.digest, body]]);
  hits = 0;
  const file = path.join(dir, `blob-${Math.random()}`);
  const error = await client()
    .downloadBlob('team/app', ref, file)
    .then(() => undefined)
    .catch((e: unknown) => e as RegistryError);
  return { error, file, hits };
}

describe('downloadBlob streams a layer to disk', () => {
  it('writes the bytes the descriptor names', async () => {
    const got = await download(layer);
    expect(got.error).toBeUndefined();
    expect(readFileSync(got.file).equals(layer)).toBe(true);
  });

  it.each([
    ['longer than declared: stopped at the first byte past it', Buffer.concat([layer, randomBytes(64 * 1024)]), /the registry sends more than the 307203 bytes the descriptor declares/],
    ['shorter than declared', layer.subarray(0, 1000), /the registry sent 1000 bytes where the descriptor declares 307203/],
    ['of the right size with a wrong digest', randomBytes(layer.length), /digest mismatch, expected sha256:/],
  ])('refuses a blob %s, without retrying', async (_what, body, message) => {
    const got = await download(body);
    expect([got.error?.kind, got.error?.message]).toEqual(['fatal', expect.stringMatching(message)]);
    // one GET (after the probe and /v2/ check the transport may make): a lie is not a transient failure
    expect(got.hits).toBeLessThanOrEqual(3);
  });
});

describe('getBlob holds only small blobs in memory', () => {
  it('refuses a descriptor that declares more than 4 MiB before asking', async () => {
    hits = 0;
    const e = (await client()
      .getBlob('team/app', ref.digest, 5 * 1024 * 1024)
      .catch((x: unknown) => x)) as RegistryError;
    expect([e.kind, e.message]).toEqual(['fatal', expect.stringMatching(/declares 5242880 bytes, more than the 4 MiB this action holds in memory/)]);
    expect(hits).toBe(0);
  });

  it('stops a config answer at 4 MiB when no size is given, and refuses a short one when it is', async () => {
    const big = randomBytes(5 * 1024 * 1024);
    served = new Map([[sha(big), big], [ref.digest, layer.subarray(0, 10)]]);
    await expect(client().getBlob('team/app', sha(big))).rejects.toThrow(/the answer is larger than 4194304 bytes/);
    await expect(client().getBlob('team/app', ref.digest, ref.size)).rejects.toThrow(/sent 10 bytes where the descriptor declares 307203/);
  });
});

describe('a blob on disk goes up from disk', () => {
  it.each([
    ['in one PUT', Infinity],
    ['in chunks when the registry refuses one large PUT', 100 * 1024],
  ])('copyBlob from one registry to another, %s', async (_how, limit) => {
    const fake = new FakeUploadRegistry(limit);
    await fake.start();
    try {
      served = new Map([[ref.digest, layer]]);
      const to = new RegistryClient({ registry: fake.address, policy, chunkBytes: 128 * 1024 });
      await copyBlob({ client: client(), repository: 'base/jre' }, { client: to, repository: 'team/app' }, ref, dir);
      expect(fake.blobs.get(ref.digest)?.equals(layer)).toBe(true);
      if (limit !== Infinity) expect(fake.patches).toEqual(['0-131071', '131072-262143', `262144-${layer.length - 1}`]);
    } finally {
      await fake.stop();
    }
  });

  it('refuses a file that is not the blob announced', async () => {
    const file = path.join(dir, 'wrong');
    writeFileSync(file, randomBytes(layer.length));
    const fake = new FakeUploadRegistry();
    await fake.start();
    try {
      const to = new RegistryClient({ registry: fake.address, policy });
      await expect(to.pushBlob('team/app', ref, () => ({ file }))).rejects.toThrow(/digest mismatch/);
      expect(fake.blobs.size).toBe(0);
    } finally {
      await fake.stop();
    }
  });
});
