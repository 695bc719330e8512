import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { layerBlob, type AppLayer } from '../../../../src/builders/native/assemble.js';
import { holdsLayer, makeBlobs } from '../../../../src/builders/native/digests.js';
import type { DigestEntry } from '../../../../src/cache/layer-digests.js';
import { sha256, writeTar } from '../../../../src/oci/tar.js';

function layer(text: string): AppLayer {
  const tar = writeTar([{ path: 'app/a.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1, data: Buffer.from(text) }]);
  return { tar, diffId: sha256(tar) };
}

const mine = layer('mine');
const theirs = layer('theirs');
const own = layerBlob(mine);
const hostile = layerBlob(theirs);
const other = gzipSync(mine.tar, { level: 1 }); // the same tar, other gzip bytes: still this layer

describe('holdsLayer: a blob is this layer only when it inflates to exactly its tar', () => {
  it.each<[string, Buffer, boolean]>([
    ["this run's gzip", own.data, true],
    ['another gzip of the same tar', other, true],
    ["another layer's blob", hostile.data, false],
    ['the gzip with bytes after it', Buffer.concat([own.data, Buffer.from('junk')]), false],
    ['a truncated gzip', own.data.subarray(0, own.data.length - 4), false],
    ['not gzip', Buffer.from('plain'), false],
    ['a gzip of the tar and more', gzipSync(Buffer.concat([mine.tar, randomBytes(10)])), false],
  ])('%s: %s', (_, data, want) => {
    expect(holdsLayer(data, mine.tar)).toBe(want);
  });
});

/** A registry of blobs by digest: what the target repository holds. */
function registry(blobs: Buffer[]): { fetch: (e: DigestEntry) => Promise<Buffer | undefined>; asked: string[] } {
  const byDigest = new Map(blobs.map((b) => [sha256(b), b]));
  const asked: string[] = [];
  return { asked, fetch: async (e) => (asked.push(e.digest), byDigest.get(e.digest)) };
}

describe('makeBlobs: a cached digest is used only once the registry blob is checked against the own tar', () => {
  it('no entry: gzips, asks the registry nothing', async () => {
    const r = registry([own.data]);
    const made = await makeBlobs([mine], new Map(), r.fetch);
    expect(made.blobs[0].digest).toBe(own.digest);
    expect(made.checked).toBe(0);
    expect(r.asked).toEqual([]);
  });
  it('an entry whose blob is there and holds the tar: that blob, no gzip', async () => {
    const r = registry([other]);
    const made = await makeBlobs([mine], new Map([[mine.diffId, { digest: sha256(other), size: other.length }]]), r.fetch);
    expect(made.blobs[0]).toEqual({ digest: sha256(other), size: other.length, data: other });
    expect(made.checked).toBe(1);
    expect(made.own.get(mine.diffId)).toEqual({ digest: sha256(other), size: other.length });
  });
  it("a poisoned entry naming another layer's blob the registry holds: refused, the own gzip goes in the manifest", async () => {
    const r = registry([hostile.data]);
    const made = await makeBlobs([mine], new Map([[mine.diffId, { digest: hostile.digest, size: hostile.size }]]), r.fetch);
    expect(made.blobs[0].digest).toBe(own.digest);
    expect(made.checked).toBe(0);
    expect(made.dropped[0]).toMatch(/does not decompress to this run's tar/);
    expect(made.own.get(mine.diffId)?.digest).toBe(own.digest);
  });
  it('an entry whose blob the registry lacks: gzipped; the same digest is kept quietly', async () => {
    const made = await makeBlobs([mine], new Map([[mine.diffId, { digest: own.digest, size: own.size }]]), registry([]).fetch);
    expect(made.blobs[0].digest).toBe(own.digest);
    expect(made.dropped).toEqual([]);
  });
  it('an entry whose blob the registry lacks and that is not the own gzip: gzipped, the entry dropped', async () => {
    const made = await makeBlobs([mine], new Map([[mine.diffId, { digest: hostile.digest, size: hostile.size }]]), registry([]).fetch);
    expect(made.blobs[0].digest).toBe(own.digest);
    expect(made.dropped[0]).toMatch(/is not in the repository/);
  });
  it('an entry claiming more bytes than any gzip of the tar: never fetched', async () => {
    const r = registry([]);
    const made = await makeBlobs([mine], new Map([[mine.diffId, { digest: hostile.digest, size: 1 << 30 }]]), r.fetch);
    expect(r.asked).toEqual([]);
    expect(made.blobs[0].digest).toBe(own.digest);
  });
  it('a blob of another size than the entry says: refused', async () => {
    const made = await makeBlobs([mine], new Map([[mine.diffId, { digest: sha256(other), size: other.length - 1 }]]), registry([other]).fetch);
    expect(made.blobs[0].digest).toBe(own.digest);
  });
});
