import type { Descriptor } from '../oci/manifest.js';
import { MEDIA } from '../oci/media.js';
import { blob, type Attestation } from './attest.js';
import { attestationLayer, attestationTag, signatureLayer, signatureManifest, signatureTag, simpleSigningPayload } from './cosign.js';
import { digestOf } from '../oci/digest.js';
import { pushReferrer } from './referrers.js';
import type { SupplyRegistry } from './registry.js';
import type { Signer } from './signer.js';
import { keylessAnnotations, sigstoreBundle, type Signed } from './sigstore/bundle.js';
import { IN_TOTO_PAYLOAD_TYPE } from './sigstore/dsse.js';
import { STATEMENT_TYPE } from './provenance.js';

/** cosign v3's predicate type of an image signature: an in-toto statement about the digest, signed as DSSE. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** Where one registry's signed things go, and whether it serves the referrers API (else the tag schema is kept). */
export interface Storage {
  format: 'referrers' | 'tag';
  served: boolean;
}

/** Signs each distinct payload once for the whole run: every registry gets the same bundle (one Rekor entry). */
export class SignOnce {
  private readonly done = new Map<string, Promise<Signed>>();
  constructor(readonly signer: Signer) {}

  dsse(payload: Buffer): Promise<Signed> {
    const key = digestOf(payload);
    if (!this.done.has(key)) this.done.set(key, this.signer.dsse(IN_TOTO_PAYLOAD_TYPE, payload));
    return this.done.get(key)!;
  }
}

/** The referrer annotations cosign v3 writes on a bundle; `created` is the signing time. Pure. */
export function bundleAnnotations(predicateType: string, created: Date): Record<string, string> {
  return { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': predicateType, 'org.opencontainers.image.created': created.toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** cosign v3's image signature: a statement of predicate type sigstore.dev/cosign/sign/v1 about the digest. Pure. */
export function signStatement(digest: string): Buffer {
  return Buffer.from(JSON.stringify({ _type: STATEMENT_TYPE, subject: [{ digest: { sha256: digest.replace(/^sha256:/, '') } }], predicateType: COSIGN_SIGN_PREDICATE, predicate: {} }));
}

async function pushBundle(client: SupplyRegistry, repo: string, subject: Descriptor, predicateType: string, signed: Signed, storage: Storage): Promise<string> {
  const layer = blob(MEDIA.sigstoreBundle, Buffer.from(JSON.stringify(sigstoreBundle(signed))));
  return pushReferrer(client, repo, subject, MEDIA.sigstoreBundle, layer, bundleAnnotations(predicateType, new Date()), storage.served);
}

/** Layers already at a cosign tag, of one media type. */
async function existingLayers(client: SupplyRegistry, repo: string, tag: string, mediaType: string): Promise<Descriptor[]> {
  const old = await client.getManifest(repo, tag);
  return old ? ((JSON.parse(old.bytes.toString('utf8')) as { layers?: Descriptor[] }).layers ?? []).filter((l) => l.mediaType === mediaType) : [];
}

/**
 * Signs `digest` on one repository, as cosign v3 stores it (a bundle referrer) or as cosign 2 does (a layer added to
 * the `sha256-<hex>.sig` manifest: the simple-signing payload, with certificate, chain and Rekor bundle when keyless).
 * Returns the reference of what was written.
 */
export async function storeSignature(client: SupplyRegistry, repo: string, name: string, dockerReference: string, subject: Descriptor, once: SignOnce, storage: Storage): Promise<string> {
  if (storage.format === 'referrers') return `${name}@${await pushBundle(client, repo, subject, COSIGN_SIGN_PREDICATE, await once.dsse(signStatement(subject.digest)), storage)}`;
  const tag = signatureTag(subject.digest);
  const payload = simpleSigningPayload(dockerReference, subject.digest);
  const signed = await once.signer.message(payload);
  const sig = 'signature' in signed.content ? signed.content.signature.toString('base64') : '';
  const layer = signatureLayer(payload, sig, keylessAnnotations(signed));
  // cosign keeps every signature of a digest in one manifest: add ours to what is there
  const kept = await existingLayers(client, repo, tag, MEDIA.cosignSimpleSigning);
  const m = signatureManifest([...kept, layer.descriptor]);
  await client.pushBlob(repo, layer);
  await client.pushBlob(repo, m.config);
  await client.putManifest(repo, tag, m.manifest);
  return `${name}:${tag}`;
}

/**
 * Attaches statements about `subject`: signed, as bundle referrers or in cosign 2's `.att` manifest (a predicate type
 * already there is replaced, as `cosign attest --replace` does); unsigned, as in-toto referrers. Returns the references.
 */
export async function storeAttestations(client: SupplyRegistry, repo: string, name: string, subject: Descriptor, list: readonly Attestation[], once: SignOnce | undefined, storage: Storage): Promise<string[]> {
  const refs: string[] = [];
  const att: ReturnType<typeof attestationLayer>[] = [];
  for (const a of list) {
    const payload = Buffer.from(JSON.stringify(a.statement));
    if (!once) {
      const layer = blob(MEDIA.inToto, payload, { annotations: { 'in-toto.io/predicate-type': a.predicateType } });
      refs.push(`${name}@${await pushReferrer(client, repo, subject, MEDIA.inToto, layer, { 'in-toto.io/predicate-type': a.predicateType }, storage.served)}`);
      continue;
    }
    const signed = await once.dsse(payload);
    if (storage.format === 'referrers') refs.push(`${name}@${await pushBundle(client, repo, subject, a.predicateType, signed, storage)}`);
    else if ('envelope' in signed.content) att.push(attestationLayer(JSON.stringify(signed.content.envelope), a.predicateType, keylessAnnotations(signed)));
  }
  if (att.length) {
    const tag = attestationTag(subject.digest);
    const types = new Set(list.map((a) => a.predicateType));
    const kept = (await existingLayers(client, repo, tag, att[0].descriptor.mediaType)).filter((l) => !types.has(l.annotations?.predicateType ?? ''));
    const m = signatureManifest([...kept, ...att.map((l) => l.descriptor)]);
    for (const l of att) await client.pushBlob(repo, l);
    await client.pushBlob(repo, m.config);
    await client.putManifest(repo, tag, m.manifest);
    refs.push(`${name}:${tag}`);
  }
  return refs;
}
