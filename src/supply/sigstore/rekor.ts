import { createHash, createPublicKey, verify } from 'node:crypto';
import type { RetryPolicy } from '../../retry/retry.js';
import { fetchWithRetry } from '../../retry/fetch.js';
import { canonicalJson } from './canonical.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';

const TIMEOUT_MS = 30 * 1000;

/** One entry as the transparency log returned it, in the fields a v0.3 bundle and cosign 2's annotation carry. */
export interface LogEntry {
  /** The canonicalized body, as the log stores it. */
  body: Buffer;
  kind: 'hashedrekord' | 'dsse';
  integratedTime: number;
  logIndex: number;
  /** SHA-256 of the log's public key (DER). */
  logId: Buffer;
  signedEntryTimestamp: Buffer;
  inclusionProof: { logIndex: number; treeSize: number; rootHash: Buffer; hashes: Buffer[]; checkpoint: string };
}

/** A log's key, from a trusted root: what an entry's SET and checkpoint must verify with. */
export interface LogKey {
  logId: Buffer;
  /** SPKI DER. */
  publicKey: Buffer;
}

/** A hashedrekord v0.0.1 proposal: the SHA-256 of what was signed, the signature, the signing certificate. Pure. */
export function hashedRekord(sha256Hex: string, signature: Buffer, certificatePem: string): Record<string, unknown> {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: { data: { hash: { algorithm: 'sha256', value: sha256Hex } }, signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(certificatePem).toString('base64') } } },
  };
}

/** A dsse v0.0.1 proposal: the envelope as serialised (its hash is what cosign 2 checks), and the certificate. Pure. */
export function dsseProposal(envelopeJson: string, certificatePem: string): Record<string, unknown> {
  return { apiVersion: '0.0.1', kind: 'dsse', spec: { proposedContent: { envelope: envelopeJson, verifiers: [Buffer.from(certificatePem).toString('base64')] } } };
}

interface Answer {
  body?: string;
  integratedTime?: number;
  logIndex?: number;
  logID?: string;
  verification?: { signedEntryTimestamp?: string; inclusionProof?: { logIndex?: number; treeSize?: number; rootHash?: string; hashes?: string[]; checkpoint?: string } };
}

/** The log's answer to a proposal (`{uuid: entry}`), checked to be complete. Throws naming what is missing. Pure. */
export function parseLogAnswer(json: unknown): LogEntry {
  const values = json && typeof json === 'object' ? Object.values(json as Record<string, Answer>) : [];
  const a = values[0];
  const p = a?.verification?.inclusionProof;
  if (values.length !== 1 || !a?.body || a.integratedTime === undefined || a.logIndex === undefined || !a.logID || !a.verification?.signedEntryTimestamp) {
    throw new Error('the transparency log answered without an entry, its time, index, log ID and signed entry timestamp');
  }
  if (!p || p.logIndex === undefined || !p.treeSize || !p.rootHash || !p.hashes || !p.checkpoint) throw new Error('the transparency log answered without an inclusion proof and its checkpoint');
  const body = Buffer.from(a.body, 'base64');
  const kind = (JSON.parse(body.toString('utf8')) as { kind?: string }).kind;
  if (kind !== 'hashedrekord' && kind !== 'dsse') throw new Error(`the transparency log stored a "${kind ?? '?'}" entry, not the hashedrekord or dsse one proposed`);
  return {
    body,
    kind,
    integratedTime: a.integratedTime,
    logIndex: a.logIndex,
    logId: Buffer.from(a.logID, 'hex'),
    signedEntryTimestamp: Buffer.from(a.verification.signedEntryTimestamp, 'base64'),
    inclusionProof: { logIndex: p.logIndex, treeSize: p.treeSize, rootHash: Buffer.from(p.rootHash, 'hex'), hashes: p.hashes.map((h) => Buffer.from(h, 'hex')), checkpoint: p.checkpoint },
  };
}

/** What the signed entry timestamp signs: the entry's body, time, index and log, canonical JSON. Pure. */
export function setPayload(e: Pick<LogEntry, 'body' | 'integratedTime' | 'logIndex' | 'logId'>): Buffer {
  return Buffer.from(canonicalJson({ body: e.body.toString('base64'), integratedTime: e.integratedTime, logIndex: e.logIndex, logID: e.logId.toString('hex') }));
}

/** The root hash a checkpoint (a signed note: origin, size, base64 root) commits to, with its size. Pure. */
export function checkpointRoot(checkpoint: string): { size: number; root: Buffer; note: string; signatures: { name: string; keyHint: Buffer; signature: Buffer }[] } | undefined {
  const split = checkpoint.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  const note = checkpoint.slice(0, split + 1);
  const lines = note.split('\n');
  if (lines.length < 4 || !/^\d+$/.test(lines[1])) return undefined;
  const signatures = checkpoint
    .slice(split + 2)
    .split('\n')
    .filter(Boolean)
    .map((l) => /^\u2014 (\S+) (\S+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const raw = Buffer.from(m[2], 'base64');
      return { name: m[1], keyHint: raw.subarray(0, 4), signature: raw.subarray(4) };
    });
  return { size: Number(lines[1]), root: Buffer.from(lines[2], 'base64'), note, signatures };
}

/**
 * Checks an entry before it goes into a bundle: it holds our signature, its inclusion proof leads to the root the
 * checkpoint names, and, when the log's key is known (a trusted root), the SET and the checkpoint verify with it.
 * Returns what is wrong, or undefined. Pure.
 */
export function entryProblem(e: LogEntry, signature: Buffer, keys: readonly LogKey[] = []): string | undefined {
  const spec = (JSON.parse(e.body.toString('utf8')) as { spec?: { signature?: { content?: string }; signatures?: { signature?: string }[] } }).spec;
  const stored = spec?.signature?.content ?? spec?.signatures?.[0]?.signature;
  if (stored !== signature.toString('base64')) return 'the entry does not hold the signature that was proposed';
  const p = e.inclusionProof;
  const root = rootFromInclusionProof(p.logIndex, p.treeSize, leafHash(e.body), p.hashes);
  if (!root?.equals(p.rootHash)) return 'its inclusion proof does not lead to the root hash it names';
  const cp = checkpointRoot(p.checkpoint);
  if (!cp || cp.size !== p.treeSize || !cp.root.equals(p.rootHash)) return 'its checkpoint does not name the tree of the inclusion proof';
  if (!keys.length) return undefined;
  const key = keys.find((k) => k.logId.equals(e.logId));
  if (!key) return `it comes from log ${e.logId.toString('hex')}, which the trusted root does not name`;
  const pub = createPublicKey({ key: key.publicKey, format: 'der', type: 'spki' });
  if (!verify('sha256', setPayload(e), pub, e.signedEntryTimestamp)) return 'its signed entry timestamp does not verify with the log key of the trusted root';
  const hint = createHash('sha256').update(key.publicKey).digest().subarray(0, 4);
  const sig = cp.signatures.find((s) => s.keyHint.equals(hint));
  if (!sig || !verify('sha256', Buffer.from(cp.note), pub, sig.signature)) return 'its checkpoint is not signed by the log key of the trusted root';
  return undefined;
}

/** Proposes one entry; a 409 (already logged) reads the existing entry back. The entry is checked before it is returned. */
export async function logEntry(baseUrl: string, proposal: Record<string, unknown>, signature: Buffer, keys: readonly LogKey[], policy: RetryPolicy): Promise<LogEntry> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/log/entries`;
  const scoped = { ...policy, scope: 'Rekor' };
  let res = await fetchWithRetry(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(proposal) }, TIMEOUT_MS, scoped);
  if (res.status === 409 && res.headers.get('location')) res = await fetchWithRetry(new URL(res.headers.get('location')!, url).toString(), { headers: { accept: 'application/json' } }, TIMEOUT_MS, scoped);
  const text = await res.text();
  if (res.status !== 201 && res.status !== 200) throw new Error(`the transparency log ${baseUrl} answered ${res.status}: ${text.slice(0, 300)}`);
  const entry = parseLogAnswer(JSON.parse(text));
  const problem = entryProblem(entry, signature, keys);
  if (problem) throw new Error(`the transparency log ${baseUrl} returned entry ${entry.logIndex}, but ${problem}`);
  return entry;
}
