/** Zip reading has caps, checked while inflating: the central directory's sizes are claims. */
import { randomBytes } from 'node:crypto';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { splitBootJar } from '../../../src/builders/native/springboot.js';
import { readJar } from '../../../src/supply/jar.js';
import { LIMITS } from '../../../src/untrusted/limits.js';
import { readZip, zipBudget, ZipError, type ZipLimits } from '../../../src/untrusted/zip.js';

const MiB = 1024 * 1024;
const all = (): boolean => true;

/** The central directory records of a zip, by name, with their offsets (to tell lies in them). */
function records(zip: Buffer): Map<string, number> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const out = new Map<string, number>();
  for (let at = zip.readUInt32LE(eocd + 16), n = zip.readUInt16LE(eocd + 10); n > 0; n--) {
    const nameLen = zip.readUInt16LE(at + 28);
    out.set(zip.toString('utf8', at + 46, at + 46 + nameLen), at);
    at += 46 + nameLen + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return out;
}

const FIELD = { crc: 16, compressed: 20, size: 24, local: 42 } as const;
function lie(zip: Uint8Array, name: string, field: keyof typeof FIELD, value: (was: number) => number): Buffer {
  const b = Buffer.from(zip);
  const at = records(b).get(name)! + FIELD[field];
  b.writeUInt32LE(value(b.readUInt32LE(at)) >>> 0, at);
  return b;
}

const limits = (change: Partial<ZipLimits>): ZipLimits => ({ ...LIMITS.zip, ...change });
const refusal = (f: () => unknown): ZipError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ZipError) return e;
    throw e;
  }
  throw new Error('no refusal');
};

describe('readZip reads what fflate reads', () => {
  it('stored and deflated entries, folders left out, only the wanted ones', () => {
    const files: Zippable = { 'META-INF/': new Uint8Array(0), 'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\r\n'), 'lib/a.jar': [randomBytes(5000), { level: 0 }], 'b.txt': strToU8('b'.repeat(10000)) };
    const zip = zipSync(files, { level: 6 });
    const want = (n: string): boolean => n !== 'b.txt';
    const bytes = (r: Record<string, Uint8Array>): Record<string, string> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.from(v).toString('hex')]));
    const fromFflate = unzipSync(zip, { filter: (f) => want(f.name) && !f.name.endsWith('/') });
    expect(bytes(readZip(zip, want))).toEqual(bytes(fromFflate));
    expect(Object.keys(readZip(zip, all)).sort()).toEqual(['META-INF/MANIFEST.MF', 'b.txt', 'lib/a.jar']);
  });

  it('a file that is no zip is a ZipError that is no cap (the Spring Boot split copies it as it is)', () => {
    const e = refusal(() => readZip(randomBytes(100), all));
    expect([e.cap, e.message]).toEqual([false, expect.stringMatching(/not a zip archive/)]);
    expect(splitBootJar(randomBytes(100), { path: '/app.jar', mode: 0o644, uid: 0, gid: 0, mtime: 1 })).toBeUndefined();
  });
});

describe('zip caps', () => {
  const zeros = zipSync({ 'bomb.bin': new Uint8Array(8 * MiB) }, { level: 9 });
  it.each([
    ['a bomb by ratio (8 MiB of zeros from a few KiB)', zeros, LIMITS.zip, /bomb.bin inflates beyond 100 times its \d+ compressed bytes/],
    ['a bomb by entry count', zipSync(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, strToU8('x')]))), limits({ entries: 10 }), /it has 11 entries, more than the 10 this action reads/],
    [
      'a bomb by total size (each entry plain, all of them too much)',
      zipSync({ a: [randomBytes(MiB), { level: 0 }], b: [randomBytes(MiB), { level: 0 }], c: [randomBytes(MiB), { level: 0 }] }),
      limits({ totalBytes: 2 * MiB + 1000 }),
      /c inflates beyond what is left of the \d+ bytes this action inflates from one jar/,
    ],
    [
      'a bomb by ratio over the whole archive (each entry under the grace)',
      zipSync({ a: new Uint8Array(900 * 1024), b: new Uint8Array(900 * 1024) }, { level: 9 }),
      LIMITS.zip,
      /its entries inflate to more than 100 times their compressed size/,
    ],
  ])('%s', (_what, zip, caps, message) => {
    const e = refusal(() => readZip(zip, all, zipBudget(caps.totalBytes), caps));
    expect([e.cap, e.message]).toEqual([true, expect.stringMatching(message)]);
  });

  it('a small file of zeros is no bomb', () => {
    expect(readZip(zipSync({ z: new Uint8Array(512 * 1024) }, { level: 9 }), all).z.length).toBe(512 * 1024);
  });
});

describe('the central directory is a claim', () => {
  const zip = zipSync({ a: strToU8('a'.repeat(5000)), b: strToU8('b'.repeat(5000)) }, { level: 6 });
  it.each([
    ['a size declared smaller than what inflates', lie(zip, 'a', 'size', (n) => n - 1), /a inflates to more than the 4999 bytes its directory entry declares/, true],
    ['a size declared larger than what inflates', lie(zip, 'a', 'size', (n) => n + 1), /a inflates to 5000 bytes, not the 5001 its directory entry declares/, false],
    ['a wrong CRC', lie(zip, 'b', 'crc', (n) => n ^ 1), /b does not match the CRC/, false],
    ['two entries on the same compressed bytes (the overlapping bomb)', lie(zip, 'b', 'local', () => 0), /shares compressed bytes with/, true],
    ['compressed bytes past the end of the archive', lie(zip, 'b', 'compressed', () => 10 * MiB), /b claims more compressed bytes than the archive holds/, false],
  ])('%s is refused', (_what, bytes, message, cap) => {
    const e = refusal(() => readZip(bytes, all));
    expect([e.message, e.cap]).toEqual([expect.stringMatching(message), cap]);
  });
});

describe('the readers use the caps', () => {
  it('the SBOM reader refuses a nested jar whose pom.properties is a bomb, sharing one budget', () => {
    const inner = zipSync({ 'META-INF/maven/g/x/pom.properties': new Uint8Array(8 * MiB) }, { level: 9 });
    const jar = zipSync({ 'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\r\n'), 'BOOT-INF/lib/x-1.jar': [inner, { level: 0 }] });
    expect(() => readJar(jar, 'app.jar')).toThrow(/pom.properties inflates beyond 100 times/);
  });

  it('the Spring Boot split refuses a bomb, naming the jar and `layers: single`', () => {
    const mf = 'Manifest-Version: 1.0\r\nStart-Class: a.B\r\nSpring-Boot-Layers-Index: BOOT-INF/layers.idx\r\n\r\n';
    const jar = zipSync({ 'META-INF/MANIFEST.MF': strToU8(mf), 'BOOT-INF/layers.idx': strToU8('- "application":\n  - "BOOT-INF/"\n'), 'BOOT-INF/classes/big.bin': new Uint8Array(8 * MiB) }, { level: 9 });
    expect(() => splitBootJar(jar, { path: '/app/app.jar', mode: 0o644, uid: 0, gid: 0, mtime: 1 })).toThrow(/^\/app\/app.jar: BOOT-INF\/classes\/big.bin inflates beyond 100 times .*set `layers: single`/);
  });
});
