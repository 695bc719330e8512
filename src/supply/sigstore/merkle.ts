import { createHash } from 'node:crypto';

const sha256 = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 6962's leaf hash: SHA-256(0x00 || entry). Pure. */
export function leafHash(entry: Buffer): Buffer {
  return sha256(Buffer.from([0]), entry);
}

/** RFC 6962's interior node: SHA-256(0x01 || left || right). Pure. */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(Buffer.from([1]), left, right);
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or undefined when the proof cannot belong to a
 * tree of that size. The caller compares it with the signed checkpoint's root. Pure.
 */
export function rootFromInclusionProof(index: number, treeSize: number, leaf: Buffer, proof: readonly Buffer[]): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return undefined;
  let fn = BigInt(index);
  let sn = BigInt(treeSize - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return undefined;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : undefined;
}
