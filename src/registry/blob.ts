import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { isDigest, verifyDigest } from '../oci/digest.js';
import { RegistryError } from './errors.js';
import type { RequestBody } from './http.js';

/** A blob's bytes: in memory (configs, our own layers), or a file on disk (a layer copied or saved), never read whole. */
export type BlobData = Buffer | { file: string };

/** BlobData with the file's size known once. */
export type SizedData = Buffer | { file: string; size: number };

export function sized(d: BlobData): SizedData {
  return Buffer.isBuffer(d) ? d : { file: d.file, size: statSync(d.file).size };
}

export function dataLength(d: SizedData): number {
  return Buffer.isBuffer(d) ? d.length : d.size;
}

/** Bytes `start` to `end` as a request body. Pure. */
export function dataPart(d: SizedData, start: number, end: number): RequestBody {
  return Buffer.isBuffer(d) ? d.subarray(start, end) : { file: d.file, start, end };
}

function hasher(digest: string, what: string): Hash {
  if (!isDigest(digest)) throw new RegistryError(`${what}: "${digest}" is not a sha256 or sha512 digest`, 'fatal');
  return createHash(digest.startsWith('sha512:') ? 'sha512' : 'sha256');
}

function mismatch(what: string, expected: string, actual: string): RegistryError {
  return new RegistryError(`${what}: digest mismatch, expected ${expected} but the bytes hash to ${actual}`, 'fatal');
}

/** Throws unless the bytes are `size` long and hash to `digest` (a file is hashed as a stream). */
export async function checkData(d: SizedData, blob: { digest: string; size: number }, what: string): Promise<void> {
  if (dataLength(d) !== blob.size) throw new RegistryError(`${what}: ${dataLength(d)} bytes given where ${blob.size} were announced`, 'fatal');
  if (Buffer.isBuffer(d)) return verifyDigest(blob.digest, d, what);
  const h = hasher(blob.digest, what);
  for await (const chunk of createReadStream(d.file)) h.update(chunk as Buffer);
  const actual = `${blob.digest.slice(0, blob.digest.indexOf(':'))}:${h.digest('hex')}`;
  if (actual !== blob.digest) throw mismatch(what, blob.digest, actual);
}

/**
 * A blob being downloaded to `file`, hashed as it comes. The size a manifest declares is a claim, not an
 * allocation: a byte past it stops the download at once, and `finish` refuses a short or a wrong blob.
 */
export class BlobSink {
  private readonly fd: number;
  private readonly hash: Hash;
  private got = 0;

  constructor(
    file: string,
    private readonly blob: { digest: string; size: number },
    private readonly what: string,
  ) {
    this.hash = hasher(blob.digest, what);
    this.fd = openSync(file, 'w', 0o600);
  }

  readonly write = (chunk: Buffer): void => {
    this.got += chunk.length;
    if (this.got > this.blob.size) throw new RegistryError(`${this.what}: the registry sends more than the ${this.blob.size} bytes the descriptor declares`, 'fatal');
    this.hash.update(chunk);
    for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off);
  };

  finish(): void {
    if (this.got !== this.blob.size) throw new RegistryError(`${this.what}: the registry sent ${this.got} bytes where the descriptor declares ${this.blob.size}`, 'fatal');
    const actual = `${this.blob.digest.slice(0, this.blob.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== this.blob.digest) throw mismatch(this.what, this.blob.digest, actual);
  }

  close(): void {
    closeSync(this.fd);
  }
}
