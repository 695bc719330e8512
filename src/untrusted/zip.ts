import { crc32, inflateRawSync } from 'node:zlib';
import { bytesText, LIMITS } from './limits.js';

/**
 * A zip (a jar) read the way the JVM reads it, from the central directory, with caps on what it may cost: entries
 * per archive, bytes inflated in all, and the ratio of inflated to compressed bytes. Sizes the directory declares
 * are claims: each entry is inflated with zlib's output cap set to its share, must come out at exactly the size
 * declared with the CRC declared, and no two entries may share compressed bytes (the overlapping-entry bomb).
 */

/** A zip this action will not read; `cap` when it passed a limit (rather than being damaged or no zip at all). */
export class ZipError extends Error {
  constructor(
    message: string,
    readonly cap = false,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

/** What one reading may still inflate, shared by a jar and the jars nested in it. */
export interface ZipBudget {
  /** Bytes that may still be inflated. */
  bytes: number;
}

export function zipBudget(bytes: number = LIMITS.zip.totalBytes): ZipBudget {
  return { bytes };
}

/** The caps (LIMITS.zip unless a test says otherwise). */
export type ZipLimits = { readonly [K in keyof typeof LIMITS.zip]: number };

interface Entry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  local: number;
}

const SIG = { eocd: 0x06054b50, locator: 0x07064b50, eocd64: 0x06064b50, central: 0x02014b50, local: 0x04034b50 };
const u64 = (b: Buffer, at: number): number => Number(b.readBigUInt64LE(at));

/** Where the central directory lies and how many entries it says it has (zip64 when the classic record is full). */
function directory(b: Buffer): { count: number; offset: number } {
  for (let at = b.length - 22; at >= Math.max(0, b.length - 22 - 0xffff); at--) {
    if (b.readUInt32LE(at) !== SIG.eocd) continue;
    let count = b.readUInt16LE(at + 10);
    let offset = b.readUInt32LE(at + 16);
    if ((count === 0xffff || offset === 0xffffffff) && at >= 20 && b.readUInt32LE(at - 20) === SIG.locator) {
      const z = u64(b, at - 12);
      if (z + 56 > b.length || b.readUInt32LE(z) !== SIG.eocd64) throw new ZipError('its zip64 end record is damaged');
      count = u64(b, z + 32);
      offset = u64(b, z + 48);
    }
    return { count, offset };
  }
  throw new ZipError('it is not a zip archive (no end of central directory)');
}

/** Sizes and offset from the zip64 extra field, for the fields the classic record leaves at 0xffffffff. */
function zip64(b: Buffer, extra: number, end: number, e: Entry): void {
  for (let at = extra; at + 4 <= end; ) {
    const id = b.readUInt16LE(at);
    const len = b.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let p = at + 4;
      const take = (): number => {
        if (p + 8 > at + 4 + len) throw new ZipError(`the zip64 field of ${e.name} is short`);
        const v = u64(b, p);
        p += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = take();
      if (e.compressed === 0xffffffff) e.compressed = take();
      if (e.local === 0xffffffff) e.local = take();
      return;
    }
    at += 4 + len;
  }
}

/** The central directory's entries; throws past `LIMITS.zip.entries` before reading them all. */
function entries(b: Buffer, cap: number): Entry[] {
  const { count, offset } = directory(b);
  if (count > cap) throw new ZipError(`it has ${count} entries, more than the ${cap} this action reads`, true);
  const out: Entry[] = [];
  for (let at = offset; out.length < count; ) {
    if (at + 46 > b.length || b.readUInt32LE(at) !== SIG.central) throw new ZipError('its central directory is damaged');
    const nameLen = b.readUInt16LE(at + 28);
    const extraLen = b.readUInt16LE(at + 30);
    const commentLen = b.readUInt16LE(at + 32);
    if (at + 46 + nameLen + extraLen + commentLen > b.length) throw new ZipError('its central directory is damaged');
    const e: Entry = {
      flags: b.readUInt16LE(at + 8),
      method: b.readUInt16LE(at + 10),
      crc: b.readUInt32LE(at + 16),
      compressed: b.readUInt32LE(at + 20),
      size: b.readUInt32LE(at + 24),
      local: b.readUInt32LE(at + 42),
      name: b.toString('utf8', at + 46, at + 46 + nameLen),
    };
    zip64(b, at + 46 + nameLen, at + 46 + nameLen + extraLen, e);
    out.push(e);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The compressed bytes of an entry, found through its local header; they must lie in the archive. */
function dataRange(b: Buffer, e: Entry): [number, number] {
  if (e.local + 30 > b.length || b.readUInt32LE(e.local) !== SIG.local) throw new ZipError(`the local header of ${e.name} is damaged`);
  const start = e.local + 30 + b.readUInt16LE(e.local + 26) + b.readUInt16LE(e.local + 28);
  const end = start + e.compressed;
  if (end > b.length) throw new ZipError(`${e.name} claims more compressed bytes than the archive holds`);
  return [start, end];
}

/** Refuses entries whose compressed bytes overlap: each byte of input inflates once. Pure. */
function checkNoOverlap(ranges: readonly { name: string; range: [number, number] }[]): void {
  const sorted = [...ranges].sort((x, y) => x.range[0] - y.range[0]);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].range[0] < sorted[i - 1].range[1]) throw new ZipError(`${sorted[i].name} shares compressed bytes with ${sorted[i - 1].name} (a zip bomb?)`, true);
  }
}

/** The bytes this entry may inflate to: within the budget, and within the ratio once past the grace. Pure. */
function allowance(compressed: number, budget: ZipBudget, limits: ZipLimits): number {
  return Math.min(budget.bytes, Math.max(limits.ratioGraceBytes, compressed * limits.ratio));
}

function inflate(b: Buffer, e: Entry, range: [number, number], budget: ZipBudget, limits: ZipLimits): Buffer {
  if (e.flags & 1) throw new ZipError(`${e.name} is encrypted`);
  if (e.method !== 0 && e.method !== 8) throw new ZipError(`${e.name} uses compression method ${e.method}, which jars do not use`);
  const compressed = range[1] - range[0];
  const allowed = allowance(compressed, budget, limits);
  const over = (): ZipError =>
    new ZipError(
      allowed === budget.bytes
        ? `${e.name} inflates beyond what is left of the ${bytesText(limits.totalBytes)} this action inflates from one jar`
        : `${e.name} inflates beyond ${limits.ratio} times its ${compressed} compressed bytes (a zip bomb?)`,
      true,
    );
  if (e.size > allowed) throw over();
  let data: Buffer;
  try {
    // the declared size is only a ceiling: zlib stops past it, and a shorter result is refused below
    data = e.method === 0 ? b.subarray(...range) : inflateRawSync(b.subarray(...range), { maxOutputLength: Math.max(1, e.size) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipError(`${e.name} inflates to more than the ${e.size} bytes its directory entry declares`, true);
    throw new ZipError(`${e.name} does not inflate: ${(err as Error).message}`);
  }
  if (data.length !== e.size) throw new ZipError(`${e.name} inflates to ${data.length} bytes, not the ${e.size} its directory entry declares`);
  if (crc32(data) !== e.crc) throw new ZipError(`${e.name} does not match the CRC its directory entry declares`);
  budget.bytes -= data.length;
  return data;
}

/**
 * The wanted entries of a zip, by name (the last of a repeated name wins, as fflate's unzipSync had it). Throws
 * ZipError, saying which cap or check it hit. `budget` is shared with the archives nested in this one.
 */
export function readZip(data: Uint8Array, wanted: (name: string) => boolean, budget: ZipBudget = zipBudget(), limits: ZipLimits = LIMITS.zip): Record<string, Uint8Array> {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const all = entries(b, limits.entries);
  const ranges = all.map((e) => ({ name: e.name, range: dataRange(b, e) }));
  checkNoOverlap(ranges);
  const out: Record<string, Uint8Array> = {};
  let compressedIn = 0;
  let inflatedOut = 0;
  all.forEach((e, i) => {
    if (!wanted(e.name) || e.name.endsWith('/')) return;
    const bytes = inflate(b, e, ranges[i].range, budget, limits);
    compressedIn += ranges[i].range[1] - ranges[i].range[0];
    inflatedOut += bytes.length;
    if (inflatedOut > limits.ratioGraceBytes && inflatedOut > compressedIn * limits.ratio) {
      throw new ZipError(`its entries inflate to more than ${limits.ratio} times their compressed size (a zip bomb?)`, true);
    }
    out[e.name] = bytes;
  });
  return out;
}
