import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import { bytesText } from './limits.js';
import { isInside, realPath } from './paths.js';

/** A file this action will not read: not a regular file, a link out of where it must lie, or too large. */
export class RefusedFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedFileError';
  }
}

export interface ReadRule {
  /** Bytes read at most; a larger file is refused, not cut. */
  cap: number;
  /** The file, links resolved, must lie here (the context, the working directory). */
  root?: string;
  /** The file as messages name it (relative to the workspace, say); the path itself by default. */
  name?: string;
}

/** What a non-regular file is, for a message. Pure. */
function kind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** Where `file` leads and how to name it; throws when the link leads nowhere or out of `root`. */
function locate(file: string, rule: ReadRule): { real: string; name: string } {
  const real = realPath(file);
  const link = real !== undefined && real !== path.resolve(file) ? ` (a link to ${real})` : '';
  const name = `${rule.name ?? file}${link}`;
  if (real === undefined) throw new RefusedFileError(`${rule.name ?? file} is a link that leads nowhere`);
  if (rule.root !== undefined && !isInside(rule.root, real)) throw new RefusedFileError(`${name} lies outside ${rule.root}`);
  return { real, name };
}

/**
 * The bytes of a regular file of at most `cap` bytes, inside `root` when given. A FIFO, socket or device is never
 * opened (a FIFO blocks, /dev/zero never ends); the file is opened without blocking and without following a last
 * link, and fstat must agree. Throws RefusedFileError naming the file; a missing file throws ENOENT as fs does.
 */
export function readRegular(file: string, rule: ReadRule): Buffer {
  const { real, name } = locate(file, rule);
  // a device is not even opened (opening some has effects of its own); fstat below catches a swap in between
  const before = lstatSync(real);
  if (!before.isFile()) throw new RefusedFileError(`${name} is ${kind(before)}: only regular files are read`);
  const fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new RefusedFileError(`${name} is ${kind(st)}: only regular files are read`);
    const tooLarge = (): RefusedFileError => new RefusedFileError(`${name} is larger than the ${bytesText(rule.cap)} this action reads from such a file`);
    if (st.size > rule.cap) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    // up to cap + 1: a file that grows while it is read is refused too
    for (let n = -1; n !== 0 && total <= rule.cap; total += n) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, rule.cap + 1 - total));
      n = readSync(fd, chunk, 0, chunk.length, null);
      chunks.push(chunk.subarray(0, n));
    }
    if (total > rule.cap) throw tooLarge();
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** readRegular, or undefined when nothing at all is at `file` (a dangling link is something, and refused). */
export function readOptional(file: string, rule: ReadRule): Buffer | undefined {
  try {
    lstatSync(file);
  } catch {
    return undefined;
  }
  return readRegular(file, rule);
}

/**
 * Throws unless `file` is a regular file (links followed) inside `root`, without reading it: for files handed on
 * (a jar the build left, a cached jar) rather than read here.
 */
export function checkRegular(file: string, rule: Omit<ReadRule, 'cap'> & { cap?: number }): void {
  const { real, name } = locate(file, { cap: 0, ...rule });
  const st = lstatSync(real);
  if (!st.isFile()) throw new RefusedFileError(`${name} is ${kind(st)}: only regular files are taken`);
  if (rule.cap !== undefined && st.size > rule.cap) throw new RefusedFileError(`${name} is larger than the ${bytesText(rule.cap)} this action takes`);
}
