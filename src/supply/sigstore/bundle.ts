import { X509Certificate } from 'node:crypto';
import { MEDIA } from '../../oci/media.js';
import type { Envelope } from './dsse.js';
import type { LogEntry } from './rekor.js';


/** How a signature is tied to its signer: a Fulcio certificate chain (keyless) or a key the verifier holds. */
export type Material = { chain: string[] } | { keyHint: string };

/** One signature made by a Signer: over a DSSE envelope or a plain message (its SHA-256), with its log entry if any. */
export interface Signed {
  material: Material;
  /** Null for a key signature that was not logged. */
  entry?: LogEntry;
  content: { envelope: Envelope } | { message: Buffer; signature: Buffer };
}

const pemDer = (pem: string): Buffer => new X509Certificate(pem).raw;

/** A log entry as bundles carry it (protobuf JSON: int64 as strings, bytes as base64). Pure. */
export function tlogEntry(e: LogEntry): Record<string, unknown> {
  return {
    logIndex: String(e.logIndex),
    logId: { keyId: e.logId.toString('base64') },
    kindVersion: { kind: e.kind, version: '0.0.1' },
    integratedTime: String(e.integratedTime),
    inclusionPromise: { signedEntryTimestamp: e.signedEntryTimestamp.toString('base64') },
    inclusionProof: {
      logIndex: String(e.inclusionProof.logIndex),
      rootHash: e.inclusionProof.rootHash.toString('base64'),
      treeSize: String(e.inclusionProof.treeSize),
      hashes: e.inclusionProof.hashes.map((h) => h.toString('base64')),
      checkpoint: { envelope: e.inclusionProof.checkpoint },
    },
    canonicalizedBody: e.body.toString('base64'),
  };
}

/** The Sigstore bundle v0.3 of one signature: the leaf certificate (v0.3 carries no chain) or key hint, the log entry, the content. Pure. */
export function sigstoreBundle(s: Signed): Record<string, unknown> {
  const material = 'chain' in s.material ? { certificate: { rawBytes: pemDer(s.material.chain[0]).toString('base64') } } : { publicKey: { hint: s.material.keyHint } };
  const content =
    'envelope' in s.content
      ? { dsseEnvelope: s.content.envelope }
      : { messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: s.content.message.toString('base64') }, signature: s.content.signature.toString('base64') } };
  return { mediaType: MEDIA.sigstoreBundle, verificationMaterial: { ...material, tlogEntries: s.entry ? [tlogEntry(s.entry)] : [] }, ...content };
}

/** cosign 2's `dev.sigstore.cosign/bundle` annotation: the SET and the entry it signs (logID in hex). Pure. */
export function rekorBundleAnnotation(e: LogEntry): string {
  return JSON.stringify({ SignedEntryTimestamp: e.signedEntryTimestamp.toString('base64'), Payload: { body: e.body.toString('base64'), integratedTime: e.integratedTime, logIndex: e.logIndex, logID: e.logId.toString('hex') } });
}

/** The layer annotations cosign 2 writes for a keyless signature or attestation: certificate, chain, Rekor bundle. Pure. */
export function keylessAnnotations(s: Signed): Record<string, string> {
  if (!('chain' in s.material) || !s.entry) return {};
  const [leaf, ...rest] = s.material.chain;
  return { 'dev.sigstore.cosign/certificate': leaf.trim() + '\n', 'dev.sigstore.cosign/chain': rest.map((c) => c.trim() + '\n').join(''), 'dev.sigstore.cosign/bundle': rekorBundleAnnotation(s.entry) };
}
