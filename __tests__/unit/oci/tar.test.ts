import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipFixed } from '../../../src/oci/gzip.js';
import { sha256, writeTar, type LayerEntry } from '../../../src/oci/tar.js';

/** Reads back name, type flag, mode, uid, gid, size, mtime of every header: a small ustar/PAX reader. */
function listing(tar: Buffer): { name: string; flag: string; mode: number; uid: number; gid: number; size: number; mtime: number; pax?: string }[] {
  const out = [];
  let pax: string | undefined;
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number): string => h.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const num = (a: number, n: number): number => parseInt(str(a, n).trim() || '0', 8);
    const size = num(124, 12);
    const flag = str(156, 1);
    const body = tar.subarray(off + 512, off + 512 + size).toString('utf8');
    off += 512 + Math.ceil(size / 512) * 512;
    if (flag === 'x') {
      pax = body;
      continue;
    }
    const long = pax ? /path=(.*)\n/.exec(pax)?.[1] : undefined;
    out.push({ name: long ?? str(0, 100), flag, mode: num(100, 8), uid: num(108, 8), gid: num(116, 8), size, mtime: num(136, 12), pax });
    pax = undefined;
  }
  return out;
}

const file = (p: string, data = 'x', extra: Partial<LayerEntry> = {}): LayerEntry => ({ path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1700000000, data: Buffer.from(data), ...extra });
const dir = (p: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({ path: p, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 1700000000, ...extra });

describe('writeTar', () => {
  it('gives the same bytes whatever the order of the entries', () => {
    const a = [dir('app'), file('app/b.jar'), file('app/a.jar')];
    expect(sha256(writeTar(a))).toBe(sha256(writeTar([...a].reverse())));
  });

  it.each([
    ['a file', [file('app.jar', 'hello', { mode: 0o600, uid: 1000, gid: 1001 })], [{ name: 'app.jar', flag: '0', mode: 0o600, uid: 1000, gid: 1001, size: 5 }]],
    ['a folder and its file, sorted', [file('app/x', 'ab'), dir('app')], [{ name: 'app/', flag: '5', mode: 0o755, size: 0 }, { name: 'app/x', flag: '0', size: 2 }]],
    ['a symlink', [{ path: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 1, linkname: 'target' } as LayerEntry], [{ name: 'l', flag: '2', mode: 0o777 }]],
    ['a set-uid bit kept', [file('s', '', { mode: 0o4755 })], [{ name: 's', mode: 0o4755 }]],
  ])('%s', (_, entries, want) => {
    const got = listing(writeTar(entries));
    expect(got).toHaveLength(want.length);
    want.forEach((w, i) => expect(got[i]).toMatchObject(w));
    for (const g of got) expect(g.pax).toBeUndefined();
  });

  it('uses a PAX header only for a name ustar cannot hold, or a large id', () => {
    const long = `${'d'.repeat(60)}/${'f'.repeat(60)}.jar`;
    const got = listing(writeTar([file(long), file('big', 'x', { uid: 10_000_000 })]));
    expect(got.map((g) => g.name)).toEqual(['big', long]);
    expect(got[0].pax).toContain('uid=10000000');
    expect(got[1].pax).toContain(`path=${long}`);
  });

  it('stamps every entry with the given time', () => {
    expect(listing(writeTar([file('a', 'x', { mtime: 42 }), dir('b', { mtime: 42 })])).map((g) => g.mtime)).toEqual([42, 42]);
  });

  it('ends with two zero blocks and pads data to 512 bytes', () => {
    const t = writeTar([file('a', 'x'.repeat(513))]);
    expect(t.length).toBe(512 + 1024 + 1024);
  });

  it('refuses the same path twice', () => {
    expect(() => writeTar([file('a'), file('a')])).toThrow(/a twice/);
  });
});

describe('gzipFixed', () => {
  it('writes mtime 0 and the "unknown" OS byte, and round-trips', () => {
    const data = writeTar([file('a', 'hello')]);
    const gz = gzipFixed(data);
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[9]).toBe(0xff);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    expect(gzipFixed(data).equals(gz)).toBe(true);
  });
});

describe('dockerArchive (load: true)', () => {
  it('names the config and the layers, in order, with the tags; a layer on disk is copied in, not read whole', async () => {
    const { dockerArchive, writeArchive } = await import('../../../src/builders/native/load.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-load-'));
    writeFileSync(path.join(dir, 'b1'), 'x');
    const members = dockerArchive({ digest: 'sha256:c0', data: Buffer.from('{}') }, [{ digest: 'sha256:b1', source: { file: path.join(dir, 'b1'), size: 1 } }, { digest: 'sha256:a2', source: Buffer.from('y') }], ['r/app:v1']);
    writeArchive(path.join(dir, 'out.tar'), members);
    const tar = readFileSync(path.join(dir, 'out.tar'));
    const names = listing(tar).map((e) => e.name);
    expect(names).toEqual(['blobs/sha256/a2', 'blobs/sha256/b1', 'blobs/sha256/c0', 'manifest.json']);
    expect(tar.subarray(512 * 3, 512 * 3 + 1).toString()).toBe('x');
    const body = tar.subarray(512 * 7, 512 * 7 + listing(tar)[3].size).toString();
    expect(JSON.parse(body)).toEqual([{ Config: 'blobs/sha256/c0', RepoTags: ['r/app:v1'], Layers: ['blobs/sha256/b1', 'blobs/sha256/a2'] }]);
    expect(tar.length).toBe(512 * 10);
  });
});
