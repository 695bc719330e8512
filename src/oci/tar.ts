import { createHash } from 'node:crypto';

/** One file in a layer, as it will sit in the image. Paths have no leading '/'; directories no trailing '/'. */
export interface LayerEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  data?: Uint8Array;
  linkname?: string;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function fits(value: number, width: number): boolean {
  return value >= 0 && value < 8 ** (width - 1);
}

/** A PAX record "len key=value\n", where len counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len++;
  return `${len}${body}`;
}

function header(name: string, size: number, e: Pick<LayerEntry, 'mode' | 'uid' | 'gid' | 'mtime' | 'linkname'>, flag: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(fits(e.uid, 8) ? e.uid : 0, 8), 108, 'ascii');
  h.write(octal(fits(e.gid, 8) ? e.gid : 0, 8), 116, 'ascii');
  h.write(octal(fits(size, 12) ? size : 0, 12), 124, 'ascii');
  h.write(octal(fits(e.mtime, 12) ? e.mtime : 0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(flag, 156, 'ascii');
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function padded(data: Uint8Array): Buffer[] {
  const rest = data.length % BLOCK;
  return rest ? [Buffer.from(data), Buffer.alloc(BLOCK - rest)] : [Buffer.from(data)];
}

const FLAGS = { file: '0', dir: '5', symlink: '2' } as const;

/** The name as it goes in the header: directories end with '/'. */
function tarName(e: Pick<LayerEntry, 'type' | 'path'>): string {
  return e.type === 'dir' ? `${e.path}/` : e.path;
}

function entryBlocks(e: LayerEntry): Buffer[] {
  const size = e.type === 'file' ? (e.data?.length ?? 0) : 0;
  return [...headerBlocks(e, size), ...(size ? padded(e.data!) : [])];
}

/** The blocks before an entry's data (a PAX header when ustar cannot hold a field), for `size` bytes of data. Pure. */
export function headerBlocks(e: Omit<LayerEntry, 'data'>, size: number): Buffer[] {
  const name = tarName(e);
  const pax: string[] = [];
  // PAX only when the ustar fields cannot hold the value, so a plain layer stays plain ustar
  if (Buffer.byteLength(name) > 100 || /[^\x20-\x7e]/.test(name)) pax.push(paxRecord('path', name));
  if (e.linkname && (Buffer.byteLength(e.linkname) > 100 || /[^\x20-\x7e]/.test(e.linkname))) pax.push(paxRecord('linkpath', e.linkname));
  if (!fits(e.uid, 8)) pax.push(paxRecord('uid', String(e.uid)));
  if (!fits(e.gid, 8)) pax.push(paxRecord('gid', String(e.gid)));
  if (!fits(size, 12)) pax.push(paxRecord('size', String(size)));
  const out: Buffer[] = [];
  if (pax.length) {
    const body = Buffer.from(pax.join(''), 'utf8');
    out.push(header('PaxHeaders/' + name.slice(0, 80), body.length, { mode: 0o644, uid: 0, gid: 0, mtime: e.mtime }, 'x'), ...padded(body));
  }
  const shortName = Buffer.byteLength(name) > 100 ? Buffer.from(name).subarray(0, 100).toString('latin1') : name;
  out.push(header(shortName, size, e, FLAGS[e.type]));
  return out;
}

/** The zeros that round `size` bytes of data up to whole blocks. Pure. */
export function blockPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The two zero blocks that end a tar. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

/** Entries in the order a layer holds them: by path, byte-wise, so that the bytes depend only on the entries. Pure. */
export function sortEntries(entries: readonly LayerEntry[]): LayerEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** A tar whose bytes depend only on the entries: sorted, numeric owners and no user names, fixed times. Pure. */
export function writeTar(entries: readonly LayerEntry[]): Buffer {
  const seen = new Set<string>();
  const blocks: Buffer[] = [];
  for (const e of sortEntries(entries)) {
    if (seen.has(e.path)) throw new Error(`the layer holds ${e.path} twice`);
    seen.add(e.path);
    blocks.push(...entryBlocks(e));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
