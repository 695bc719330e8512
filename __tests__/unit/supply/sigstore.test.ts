import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decide, needsProbe } from '../../../src/supply/attach.js';
import { fallbackTag, referrerManifest, referrersServed, withReferrer } from '../../../src/supply/referrers.js';
import { blob } from '../../../src/supply/attest.js';
import { bundleAnnotations, signStatement } from '../../../src/supply/store.js';
import { canonicalJson } from '../../../src/supply/sigstore/canonical.js';
import { keylessAnnotations, sigstoreBundle, tlogEntry } from '../../../src/supply/sigstore/bundle.js';
import { MEDIA } from '../../../src/oci/media.js';

const BUNDLE_V03 = MEDIA.sigstoreBundle;
import { envelope, pae } from '../../../src/supply/sigstore/dsse.js';
import { certificateChain, certificateRequest } from '../../../src/supply/sigstore/fulcio.js';
import { leafHash, nodeHash, rootFromInclusionProof } from '../../../src/supply/sigstore/merkle.js';
import { expectedIdentity, jwtClaims } from '../../../src/supply/sigstore/oidc.js';
import { checkpointRoot, entryProblem, parseLogAnswer, setPayload, type LogEntry } from '../../../src/supply/sigstore/rekor.js';
import { fromSigningConfig, fromTrustedRoot } from '../../../src/supply/sigstore/trust.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('DSSE', () => {
  it('encodes PAE as the spec example does', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });
  it('counts bytes, not characters', () => {
    expect(pae('t', Buffer.from('é')).toString()).toBe('DSSEv1 1 t 2 é');
  });
  it('wraps one signature', () => {
    expect(envelope('application/vnd.in-toto+json', Buffer.from('{}'), Buffer.from([1, 2]))).toEqual({ payloadType: 'application/vnd.in-toto+json', payload: 'e30=', signatures: [{ keyid: '', sig: 'AQI=' }] });
  });
});

describe('the OIDC token and the identity Fulcio certifies', () => {
  const jwt = (claims: object): string => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  it.each([
    [{ sub: 'repo:acme/app:ref:refs/tags/v1.2.3', iss: 'https://token.actions.githubusercontent.com', job_workflow_ref: 'acme/app/.github/workflows/release.yml@refs/tags/v1.2.3' }, 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3'],
    // a reusable workflow: the identity is the called workflow, not the caller's
    [{ sub: 'repo:acme/app:ref:refs/heads/main', iss: 'https://token.actions.githubusercontent.com', job_workflow_ref: 'acme/shared/.github/workflows/publish.yml@refs/heads/v2' }, 'https://github.com/acme/shared/.github/workflows/publish.yml@refs/heads/v2'],
  ])('%j', (claims, identity) => {
    const who = expectedIdentity(jwtClaims(jwt(claims)));
    expect(who).toEqual({ identity, issuer: 'https://token.actions.githubusercontent.com', subject: claims.sub });
  });
  it('refuses a token that is no JWT, or has no sub', () => {
    expect(() => jwtClaims('opaque')).toThrow('not a JWT');
    expect(() => expectedIdentity(jwtClaims(jwt({ iss: 'x' })))).toThrow('no `sub`');
  });
  it('asks Fulcio with the key and the proof of possession, never more', () => {
    expect(certificateRequest('tok', 'PEM', Buffer.from('p'))).toEqual({ credentials: { oidcIdentityToken: 'tok' }, publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: 'PEM' }, proofOfPossession: 'cA==' } });
    expect(() => certificateChain({ signedCertificateEmbeddedSct: { chain: { certificates: [] } } })).toThrow('without a PEM certificate chain');
  });
});

/** A log of `n` entries, built with RFC 6962's definitions: the proof of `m` by hand. */
function tree(n: number): { leaves: Buffer[]; root: (from: number, to: number) => Buffer } {
  const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const root = (from: number, to: number): Buffer => {
    if (to - from === 1) return leaves[from];
    let k = 1;
    while (k * 2 < to - from) k *= 2;
    return nodeHash(root(from, from + k), root(from + k, to));
  };
  return { leaves, root };
}

describe('Merkle inclusion proofs (RFC 9162)', () => {
  const t = tree(7);
  // leaf 4 of 7: siblings are leaf 5, the node of leaf 6, then the root of leaves 0..3
  const proof = [t.leaves[5], t.leaves[6], t.root(0, 4)];
  it('leads to the root', () => expect(rootFromInclusionProof(4, 7, t.leaves[4], proof)).toEqual(t.root(0, 7)));
  it('does not with another leaf, index or size', () => {
    expect(rootFromInclusionProof(4, 7, t.leaves[3], proof)).not.toEqual(t.root(0, 7));
    expect(rootFromInclusionProof(5, 7, t.leaves[4], proof)).not.toEqual(t.root(0, 7));
    expect(rootFromInclusionProof(4, 4, t.leaves[4], proof)).toBeUndefined();
  });
  it('proves the last leaf of an odd tree', () => expect(rootFromInclusionProof(6, 7, t.leaves[6], [t.root(4, 6), t.root(0, 4)])).toEqual(t.root(0, 7)));
});

describe('Rekor entries and bundles', () => {
  const log = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const logDer = log.publicKey.export({ format: 'der', type: 'spki' });
  const logId = createHash('sha256').update(logDer).digest();
  const sig = Buffer.from('signature');
  const body = Buffer.from(canonicalJson({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { signature: { content: sig.toString('base64') } } }));
  const t = tree(3);
  t.leaves[2] = leafHash(body);
  const root = t.root(0, 3);
  const note = `test - 1\n3\n${root.toString('base64')}\n`;
  const hint = createHash('sha256').update(logDer).digest().subarray(0, 4);
  const checkpoint = `${note}\n\u2014 test ${Buffer.concat([hint, sign('sha256', Buffer.from(note), log.privateKey)]).toString('base64')}\n`;
  const partial = { body, integratedTime: 1700000000, logIndex: 2, logId };
  const answer = {
    uuid: {
      body: body.toString('base64'),
      integratedTime: 1700000000,
      logIndex: 2,
      logID: logId.toString('hex'),
      verification: { signedEntryTimestamp: sign('sha256', setPayload(partial), log.privateKey).toString('base64'), inclusionProof: { logIndex: 2, treeSize: 3, rootHash: root.toString('hex'), hashes: [t.root(0, 2).toString('hex')], checkpoint } },
    },
  };
  const entry: LogEntry = parseLogAnswer(answer);
  const keys = [{ logId, publicKey: logDer }];

  it('parses the answer and accepts a sound entry, with and without the log key', () => {
    expect(entry.kind).toBe('hashedrekord');
    expect(entryProblem(entry, sig)).toBeUndefined();
    expect(entryProblem(entry, sig, keys)).toBeUndefined();
    expect(checkpointRoot(checkpoint)?.size).toBe(3);
  });
  it.each([
    ['another signature', { ...entry }, Buffer.from('other'), 'does not hold the signature'],
    ['a proof that leads elsewhere', { ...entry, inclusionProof: { ...entry.inclusionProof, hashes: [t.leaves[0]] } }, sig, 'inclusion proof does not lead'],
    ['a forged SET', { ...entry, signedEntryTimestamp: Buffer.from(entry.signedEntryTimestamp).fill(1, 8, 12) }, sig, 'signed entry timestamp does not verify'],
    ['another log', { ...entry, logId: Buffer.alloc(32) }, sig, 'which the trusted root does not name'],
  ])('refuses %s', (_, e, s, problem) => expect(entryProblem(e as LogEntry, s, keys)).toContain(problem));
  it('refuses an answer without an inclusion proof', () => {
    expect(() => parseLogAnswer({ uuid: { ...answer.uuid, verification: { signedEntryTimestamp: 'AA==' } } })).toThrow('without an inclusion proof');
  });

  it('writes the v0.3 bundle sigstore-go reads: int64 as strings, bytes as base64, the leaf alone', () => {
    expect(tlogEntry(entry)).toMatchObject({ logIndex: '2', integratedTime: '1700000000', kindVersion: { kind: 'hashedrekord', version: '0.0.1' }, logId: { keyId: logId.toString('base64') }, inclusionProof: { treeSize: '3', checkpoint: { envelope: checkpoint } } });
    const key = sigstoreBundle({ material: { keyHint: 'h' }, content: { envelope: envelope('t', Buffer.from('x'), sig) } });
    expect(key).toEqual({ mediaType: BUNDLE_V03, verificationMaterial: { publicKey: { hint: 'h' }, tlogEntries: [] }, dsseEnvelope: { payloadType: 't', payload: 'eA==', signatures: [{ keyid: '', sig: sig.toString('base64') }] } });
    expect(keylessAnnotations({ material: { keyHint: 'h' }, content: { message: sig, signature: sig } })).toEqual({});
  });
});

describe('referrers', () => {
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }));
  it.each([
    [200, 'application/vnd.oci.image.index.v1+json', index, true],
    [200, undefined, index, true],
    [404, 'text/plain', Buffer.from('404 page not found'), false],
    [400, 'application/json', Buffer.from('{}'), false],
    [200, 'text/html', Buffer.from('<html>'), false],
    [200, 'application/json', Buffer.from('{"repositories":[]}'), false],
  ])('%i %s -> served %s', (status, type, body, served) => expect(referrersServed(status, type, body)).toBe(served));

  it('names the referrers tag schema as the distribution spec does', () => expect(fallbackTag(DIGEST)).toBe(`sha256-${'ab'.repeat(32)}`));

  it('writes an OCI 1.1 artifact manifest about its subject, and lists it once in the fallback index', () => {
    const layer = blob(BUNDLE_V03, Buffer.from('{}'));
    const { manifest, referrer } = referrerManifest({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 10 }, BUNDLE_V03, layer, bundleAnnotations('https://spdx.dev/Document', new Date('2026-01-02T03:04:05.678Z')));
    const doc = JSON.parse(manifest.bytes.toString()) as Record<string, unknown>;
    expect(doc.artifactType).toBe(BUNDLE_V03);
    expect(doc.config).toEqual({ mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 });
    expect(doc.subject).toEqual({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 10 });
    expect(doc.annotations).toEqual({ 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://spdx.dev/Document', 'org.opencontainers.image.created': '2026-01-02T03:04:05Z' });
    const once = withReferrer(undefined, referrer);
    const twice = withReferrer(once.bytes, referrer);
    expect((JSON.parse(twice.bytes.toString()) as { manifests: unknown[] }).manifests).toEqual([referrer]);
  });

  it("signs images as cosign v3 does: a statement of sigstore.dev/cosign/sign/v1 about the digest", () => {
    expect(JSON.parse(signStatement(DIGEST).toString())).toEqual({ _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'https://sigstore.dev/cosign/sign/v1', predicate: {} });
  });

  const plan = (signatureFormat: 'auto' | 'referrers' | 'tag', placement: 'auto' | 'index' | 'referrers', signing = true, attesting = true) => ({ signatureFormat, placement, signing, attesting });
  it.each([
    [plan('auto', 'auto'), true, 'referrers', 'referrers'],
    [plan('auto', 'auto'), false, 'index', 'tag'],
    [plan('tag', 'auto'), true, 'referrers', 'tag'],
    [plan('referrers', 'index'), false, 'index', 'referrers'],
    [plan('auto', 'referrers'), false, 'referrers', 'tag'],
  ] as const)('%j on a registry serving referrers=%s: attestations %s, signatures %s', (p, served, placement, format) => {
    expect(decide(p, served)).toEqual({ placement, storage: { format, served } });
  });
  it.each([
    [plan('tag', 'index'), false],
    [plan('auto', 'index', true, false), true],
    [plan('tag', 'auto', false, true), true],
    [plan('tag', 'index', false, true), false],
  ] as const)('%j asks the registry: %s', (p, asks) => expect(needsProbe(p)).toBe(asks));
});

describe('trusted root and signing config', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('picks the CA and the Rekor v1 log valid now from a SigningConfig v0.2', () => {
    const cfg = {
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [{ url: 'https://old-ca', majorApiVersion: 1, validFor: { start: '2024-01-01T00:00:00Z', end: '2025-01-01T00:00:00Z' } }, { url: 'https://ca', majorApiVersion: 1, validFor: { start: '2025-01-01T00:00:00Z' } }],
      rekorTlogUrls: [{ url: 'https://log2', majorApiVersion: 2, validFor: { start: '2025-01-01T00:00:00Z' } }, { url: 'https://rekor', majorApiVersion: 1, validFor: { start: '2025-01-01T00:00:00Z' } }],
    };
    expect(fromSigningConfig(cfg, now)).toEqual({ fulcio: 'https://ca', rekor: 'https://rekor' });
  });
  it('refuses documents of another kind, naming the input', () => {
    expect(() => fromTrustedRoot({ mediaType: 'application/json' }, now)).toThrow("Input 'sigstore-trusted-root': has mediaType \"application/json\"");
    expect(() => fromTrustedRoot({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [] }, now)).toThrow('names no transparency log');
    expect(() => fromSigningConfig({ mediaType: 'x' }, now)).toThrow("Input 'sigstore-signing-config'");
  });
});
