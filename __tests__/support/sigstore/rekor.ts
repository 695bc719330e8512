import { createHash, generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import http from 'node:http';
import { LocalServer } from './server.ts';
import { canonicalJson } from '../../../src/supply/sigstore/canonical.ts';
import { pae } from '../../../src/supply/sigstore/dsse.ts';
import { leafHash, nodeHash } from '../../../src/supply/sigstore/merkle.ts';

const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

/** RFC 6962's root of leaves[from, to). */
function root(leaves: Buffer[], from = 0, to = leaves.length): Buffer {
  if (to - from === 1) return leaves[from];
  let k = 1;
  while (k * 2 < to - from) k *= 2;
  return nodeHash(root(leaves, from, from + k), root(leaves, from + k, to));
}

/** RFC 6962's audit path of leaf m in leaves[from, to). */
function path(m: number, leaves: Buffer[], from = 0, to = leaves.length): Buffer[] {
  if (to - from <= 1) return [];
  let k = 1;
  while (k * 2 < to - from) k *= 2;
  return m < k ? [...path(m, leaves, from, from + k), root(leaves, from + k, to)] : [...path(m - k, leaves, from + k, to), root(leaves, from, from + k)];
}

/** The fields of the two proposals this log takes (hashedrekord, dsse v0.0.1); a missing one fails the parse. */
interface Proposal {
  data?: { hash?: { algorithm: string; value: string } };
  signature?: { content: string; publicKey: { content: string } };
  proposedContent?: { envelope: string; verifiers: string[] };
}

interface Stored {
  uuid: string;
  body: Buffer;
  index: number;
  time: number;
}

/**
 * A Rekor-compatible log on 127.0.0.1: `POST /api/v1/log/entries` takes hashedrekord and dsse v0.0.1 proposals,
 * checks them (the certificate parses; a DSSE signature verifies over its PAE with it), stores the canonical body as a
 * leaf of a real Merkle tree (RFC 6962), and answers with the signed entry timestamp, an inclusion proof and a
 * checkpoint signed as a note. Node cannot check an ECDSA signature over a given digest, so a hashedrekord's signature
 * is taken as given here (cosign checks it against the payload). Index 0 is a fixed first leaf: bundles take 0 for "none".
 */
export class RekorLog extends LocalServer {
  readonly key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  readonly publicDer = this.key.publicKey.export({ format: 'der', type: 'spki' });
  readonly logId = sha256(this.publicDer);
  private readonly leaves: Buffer[] = [leafHash(Buffer.from('image-publish test log'))];
  private readonly entries = new Map<string, Stored>();


  /** Entries logged so far, by kind. */
  get kinds(): string[] {
    return [...this.entries.values()].map((e) => (JSON.parse(e.body.toString()) as { kind: string }).kind);
  }

  private canonical(p: { kind?: string; apiVersion?: string; spec?: Proposal }): Buffer {
    const spec: Proposal = p.spec ?? {};
    if (p.kind === 'hashedrekord' && p.apiVersion === '0.0.1') {
      const { data, signature } = spec;
      if (!signature || !data?.hash || !/^[0-9a-f]{64}$/.test(data.hash.value)) throw new Error('a hashedrekord needs spec.signature and a sha256 in spec.data.hash');
      new X509Certificate(Buffer.from(signature.publicKey.content, 'base64'));
      return Buffer.from(canonicalJson({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: data.hash }, signature: { content: signature.content, publicKey: { content: signature.publicKey.content } } } }));
    }
    if (p.kind === 'dsse' && p.apiVersion === '0.0.1') {
      if (!spec.proposedContent) throw new Error('a dsse entry needs spec.proposedContent');
      const text = spec.proposedContent.envelope;
      const env = JSON.parse(text) as { payloadType: string; payload: string; signatures: { sig: string }[] };
      const verifier = spec.proposedContent.verifiers[0];
      const cert = new X509Certificate(Buffer.from(verifier, 'base64'));
      const payload = Buffer.from(env.payload, 'base64');
      if (!verify('sha256', pae(env.payloadType, payload), cert.publicKey, Buffer.from(env.signatures[0].sig, 'base64'))) throw new Error('the envelope signature does not verify with the verifier');
      return Buffer.from(
        canonicalJson({
          apiVersion: '0.0.1',
          kind: 'dsse',
          spec: { envelopeHash: { algorithm: 'sha256', value: sha256(text).toString('hex') }, payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') }, signatures: [{ signature: env.signatures[0].sig, verifier }] },
        }),
      );
    }
    throw new Error(`unsupported kind ${p.kind}/${p.apiVersion}`);
  }

  private answer(e: Stored): Record<string, unknown> {
    const size = this.leaves.length;
    const rootHash = root(this.leaves);
    const note = `image-publish-test-rekor - 1\n${size}\n${rootHash.toString('base64')}\n`;
    const hint = sha256(this.publicDer).subarray(0, 4);
    const checkpoint = `${note}\n\u2014 image-publish-test-rekor ${Buffer.concat([hint, sign('sha256', Buffer.from(note), this.key.privateKey)]).toString('base64')}\n`;
    const set = sign('sha256', Buffer.from(canonicalJson({ body: e.body.toString('base64'), integratedTime: e.time, logIndex: e.index, logID: this.logId.toString('hex') })), this.key.privateKey);
    return {
      [e.uuid]: {
        body: e.body.toString('base64'),
        integratedTime: e.time,
        logID: this.logId.toString('hex'),
        logIndex: e.index,
        verification: { signedEntryTimestamp: set.toString('base64'), inclusionProof: { checkpoint, hashes: path(e.index, this.leaves).map((h) => h.toString('hex')), logIndex: e.index, rootHash: rootHash.toString('hex'), treeSize: size } },
      },
    };
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => LocalServer.json(res, status, body, headers);
    const get = /^\/api\/v1\/log\/entries\/([0-9a-f]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && get) {
      const e = this.entries.get(get[1]);
      return e ? json(200, this.answer(e)) : json(404, { code: 404, message: 'not found' });
    }
    if (req.method !== 'POST' || req.url !== '/api/v1/log/entries') return json(404, { code: 404, message: 'not found' });
    let body: Buffer;
    try {
      body = this.canonical(JSON.parse((await LocalServer.body(req)).toString()) as Record<string, never>);
    } catch (e) {
      return json(400, { code: 400, message: (e as Error).message });
    }
    const uuid = leafHash(body).toString('hex');
    const known = this.entries.get(uuid);
    if (known) return json(409, { code: 409, message: 'an equivalent entry already exists in the transparency log' }, { location: `/api/v1/log/entries/${uuid}` });
    const e: Stored = { uuid, body, index: this.leaves.length, time: Math.floor(Date.now() / 1000) };
    this.leaves.push(leafHash(body));
    this.entries.set(uuid, e);
    json(201, this.answer(e), { location: `/api/v1/log/entries/${uuid}` });
  }
}
