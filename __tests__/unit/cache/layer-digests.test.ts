import { describe, expect, it } from 'vitest';
import { gzipFlavour, layerDigestsKey, MAX_DIGEST_ENTRIES, maxGzipBytes, parseDigests, serializeDigests } from '../../../src/cache/layer-digests.js';
import { gzipFixed } from '../../../src/oci/gzip.js';
import { randomBytes } from 'node:crypto';

const d = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;
const FLAVOUR = gzipFlavour('1.3.1');

describe('the layer-digest file: only well-formed entries of this gzip flavour', () => {
  const file = (layers: unknown, flavour: unknown = FLAVOUR): string => JSON.stringify({ flavour, layers });
  it.each<[string, string | undefined, [string, string, number][]]>([
    ['a good entry', file([{ diffId: d('a'), digest: d('b'), size: 10 }]), [[d('a'), d('b'), 10]]],
    ['no file', undefined, []],
    ['not JSON', '{', []],
    ['another zlib', file([{ diffId: d('a'), digest: d('b'), size: 10 }], gzipFlavour('1.2.13')), []],
    ['layers not a list', file({ x: 1 }), []],
    ['a digest that is no sha256', file([{ diffId: d('a'), digest: 'sha256:../../x', size: 10 }]), []],
    ['an upper-case diff_id', file([{ diffId: d('A'), digest: d('b'), size: 10 }]), []],
    ['a size of 0', file([{ diffId: d('a'), digest: d('b'), size: 0 }]), []],
    ['a fractional size', file([{ diffId: d('a'), digest: d('b'), size: 1.5 }]), []],
    ['a size as text', file([{ diffId: d('a'), digest: d('b'), size: '10' }]), []],
    ['null entries among good ones', file([null, 7, { diffId: d('c'), digest: d('d'), size: 3 }]), [[d('c'), d('d'), 3]]],
    ['the first of two entries for one diff_id', file([{ diffId: d('a'), digest: d('b'), size: 1 }, { diffId: d('a'), digest: d('c'), size: 2 }]), [[d('a'), d('b'), 1]]],
  ])('%s', (_, text, want) => {
    expect([...parseDigests(text, FLAVOUR)].map(([k, v]) => [k, v.digest, v.size])).toEqual(want);
  });
  it(`reads at most ${MAX_DIGEST_ENTRIES} entries`, () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ diffId: `sha256:${i.toString(16).padStart(64, '0')}`, digest: d('e'), size: 1 }));
    expect(parseDigests(file(many), FLAVOUR).size).toBe(MAX_DIGEST_ENTRIES);
  });
});

describe('the file for the next run', () => {
  it("puts this run's layers first, its digests over older ones, and keeps the rest up to the cap", () => {
    const own = new Map([[d('a'), { digest: d('1'), size: 1 }]]);
    const older = new Map([[d('a'), { digest: d('9'), size: 9 }], ...Array.from({ length: 80 }, (_, i) => [`sha256:${i.toString(16).padStart(64, '0')}`, { digest: d('2'), size: 2 }] as const)]);
    const back = parseDigests(serializeDigests(own, older, FLAVOUR), FLAVOUR);
    expect(back.size).toBe(MAX_DIGEST_ENTRIES);
    expect([...back][0]).toEqual([d('a'), { digest: d('1'), size: 1 }]);
  });
  it('is the same text for the same entries, so an unchanged file is not saved again', () => {
    const own = new Map([[d('a'), { digest: d('1'), size: 1 }]]);
    expect(serializeDigests(own, new Map(), FLAVOUR)).toBe(serializeDigests(new Map(own), new Map(), FLAVOUR));
  });
  it('stays small: a full file is under the cap it is read with (64 KiB)', () => {
    const many = new Map(Array.from({ length: 100 }, (_, i) => [`sha256:${i.toString(16).padStart(64, '0')}`, { digest: d('f'), size: 123456789 }] as const));
    expect(Buffer.byteLength(serializeDigests(many, new Map(), FLAVOUR))).toBeLessThan(64 * 1024);
  });
});

describe('the cache key names content, never the event', () => {
  const p = { os: 'linux', arch: 'x64' };
  it('restores by the prefix of platform and gzip flavour, saves under the hash of the file', () => {
    const restore = layerDigestsKey(p, FLAVOUR);
    expect(restore.key).toBe('image-publish-native-layers-linux-x64-zlib-1.3.1-level6-');
    expect(restore.restoreKeys).toEqual([restore.key]);
    const a = layerDigestsKey(p, FLAVOUR, 'one').key;
    expect(a).toMatch(/^image-publish-native-layers-linux-x64-zlib-1\.3\.1-level6-[a-f0-9]{32}$/);
    expect(layerDigestsKey(p, FLAVOUR, 'one').key).toBe(a);
    expect(layerDigestsKey(p, FLAVOUR, 'two').key).not.toBe(a);
    expect(layerDigestsKey({ os: 'linux', arch: 'arm64' }, FLAVOUR, 'one').key).not.toBe(a);
  });
  it('keeps a zlib version with odd characters to the key alphabet', () => {
    expect(layerDigestsKey(p, gzipFlavour('1.3.0.1-motley+x')).key).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});

describe('the largest blob a layer can have', () => {
  it.each([0, 1, 1000, 1 << 20])('is at least the gzip of %i incompressible bytes', (n) => {
    expect(gzipFixed(randomBytes(n)).length).toBeLessThanOrEqual(maxGzipBytes(n));
  });
});
