import { createHash } from 'node:crypto';
import { RegistryError } from '../registry/errors.js';

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** Whether a reference is a content digest (sha256 or sha512) rather than a tag. Pure. */
export function isDigest(ref: string): boolean {
  return DIGEST.test(ref);
}

/** `sha256:<hex>` of the bytes (or sha512 when asked). Pure. */
export function digestOf(bytes: Buffer, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws a fatal error unless `bytes` hash to `expected`; `what` names them for the message. */
export function verifyDigest(expected: string, bytes: Buffer, what: string): void {
  if (!isDigest(expected)) throw new RegistryError(`${what}: "${expected}" is not a sha256 or sha512 digest`, 'fatal');
  const actual = digestOf(bytes, expected.startsWith('sha512:') ? 'sha512' : 'sha256');
  if (actual !== expected) throw new RegistryError(`${what}: digest mismatch, expected ${expected} but the bytes hash to ${actual}`, 'fatal');
}
