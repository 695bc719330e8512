import type { Descriptor, Platform } from '../oci/manifest.js';
import { imageEntries, isIndex } from '../oci/media.js';
import { attestationManifest, blob, indexWithAttestations, type Attestation } from './attest.js';
import type { AttestationPlacement, SignatureFormat } from './options.js';
import { probeReferrers } from './referrers.js';
import type { SupplyRegistry } from './registry.js';
import { storeAttestations, storeSignature, type SignOnce, type Storage } from './store.js';

/** One pushed repository: where, which digest docker pushed, and the tags that point at it. */
export interface PushedImage {
  /** registry/repository as tags are written. */
  name: string;
  /** The canonical registry host. */
  registry: string;
  /** The repository path inside the registry. */
  repository: string;
  /** The identity cosign signs: registry/repository (index.docker.io/… for Docker Hub). */
  dockerReference: string;
  digest: string;
  tags: string[];
}

export interface Attached {
  /** The digest the tags point at now: the new index, or the pushed digest when nothing was wrapped around it. */
  digest: string;
  /** Image manifests the attestations are about, with their platforms. */
  images: (Descriptor & { platform: Platform })[];
  /** `name:sha256-….sig`, or `name@<referrer digest>` for a bundle. */
  signature?: string;
  /** Where the signed (or referrer) attestations went. */
  attestations: string[];
  /** What was chosen for this registry. */
  placement: 'index' | 'referrers';
  storage: Storage;
}

/** What attach does beyond the push; `statements` are the attestations about one subject (a platform's image, or the digest the tags name). */
export interface AttachPlan {
  statements?: (subject: { digest: string; platform?: Platform }) => Attestation[];
  once?: SignOnce;
  signatureFormat: SignatureFormat;
  placement: AttestationPlacement;
  log: (m: string) => void;
}

interface Parsed {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  annotations?: Record<string, string>;
}

/** The manifest docker pushed, and the image manifests behind it (itself, or an index's entries), each with its platform. */
async function imageManifests(client: SupplyRegistry, img: PushedImage): Promise<{ top: Descriptor; images: Attached['images']; annotations?: Record<string, string> }> {
  const top = await client.getManifest(img.repository, img.digest);
  if (!top) throw new Error(`${img.name}@${img.digest} is not in the registry`);
  const self = { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length };
  const parsed = JSON.parse(top.bytes.toString('utf8')) as Parsed;
  if (isIndex(top.mediaType) || parsed.manifests) {
    const images = imageEntries(parsed.manifests ?? []);
    return { top: self, images, annotations: parsed.annotations };
  }
  if (!parsed.config) throw new Error(`${img.name}@${img.digest} has no config`);
  const config = JSON.parse((await client.getBlob(img.repository, parsed.config.digest)).toString('utf8')) as Partial<Platform>;
  const platform: Platform = { architecture: config.architecture ?? 'unknown', os: config.os ?? 'unknown', ...(config.variant ? { variant: config.variant } : {}) };
  return { top: self, images: [{ ...self, platform }] };
}

/**
 * The placement and storage for one registry: auto = referrers where it serves the API, the index and cosign 2's
 * tags elsewhere; `served` undefined = not asked (nothing depends on it). Pure.
 */
export function decide(plan: Pick<AttachPlan, 'signatureFormat' | 'placement'> & { signing: boolean; attesting: boolean }, served: boolean | undefined): { placement: 'index' | 'referrers'; storage: Storage } {
  const isServed = served ?? false;
  return {
    placement: plan.placement === 'auto' ? (isServed ? 'referrers' : 'index') : plan.placement,
    storage: { format: plan.signatureFormat === 'auto' ? (isServed ? 'referrers' : 'tag') : plan.signatureFormat, served: isServed },
  };
}

/** Whether the registry must be asked about the referrers API: an `auto` to settle, or referrers to be written. Pure. */
export function needsProbe(plan: Pick<AttachPlan, 'signatureFormat' | 'placement'> & { signing: boolean; attesting: boolean }): boolean {
  return (plan.attesting && plan.placement !== 'index') || (plan.signing && plan.signatureFormat !== 'tag');
}

/** BuildKit's layout: attestation manifests and the index that holds them, by digest. */
async function wrapInIndex(client: SupplyRegistry, img: PushedImage, images: Attached['images'], annotations: Record<string, string> | undefined, statements: NonNullable<AttachPlan['statements']>, log: (m: string) => void) {
  const attestations: Descriptor[] = [];
  for (const image of images) {
    const list = statements(image);
    if (!list.length) continue;
    const att = attestationManifest(image.digest, list);
    for (const b of att.blobs) await client.pushBlob(img.repository, b);
    await client.putManifest(img.repository, att.manifest.descriptor.digest, att.manifest);
    attestations.push(att.manifest.descriptor);
  }
  if (!attestations.length) return undefined;
  const index = indexWithAttestations(images, attestations, annotations);
  await client.putManifest(img.repository, index.descriptor.digest, index);
  log(`${img.name}@${index.descriptor.digest}: an index of ${images.length} image(s) and ${attestations.length} attestation manifest(s).`);
  return index;
}

/**
 * Attaches attestations and a signature to one pushed repository: in the index as BuildKit does (then every tag
 * moves to it, last), or as referrers of the pushed digest; signed ones as cosign v3 (bundle referrers) or cosign 2
 * (`.sig`/`.att` tags) stores them. Everything goes up by digest before any tag moves.
 */
export async function attach(client: SupplyRegistry, img: PushedImage, plan: AttachPlan): Promise<Attached> {
  const { top, images, annotations } = await imageManifests(client, img);
  const facts = { ...plan, signing: plan.once !== undefined, attesting: plan.statements !== undefined };
  const served = needsProbe(facts) ? await probeReferrers(client, img.repository, img.digest) : undefined;
  const { placement, storage } = decide(facts, served);
  if (served !== undefined) plan.log(`${img.name}: the registry ${served ? 'serves' : 'does not serve'} the OCI referrers API; attestations: ${placement}, signatures: ${storage.format === 'tag' ? "cosign 2's tags" : 'Sigstore bundles as referrers'}.`);
  const index = plan.statements && placement === 'index' ? await wrapInIndex(client, img, images, annotations, plan.statements, plan.log) : undefined;
  const subject = index?.descriptor ?? top;
  const attestations =
    plan.statements && (placement === 'referrers' || plan.once) ? await storeAttestations(client, img.repository, img.name, subject, plan.statements({ digest: subject.digest }), plan.once, storage) : [];
  if (attestations.length) plan.log(`Attested ${img.name}@${subject.digest}: ${attestations.join(', ')}`);
  const signature = plan.once ? await storeSignature(client, img.repository, img.name, img.dockerReference, subject, plan.once, storage) : undefined;
  if (signature) plan.log(`Signed ${img.name}@${subject.digest}: ${signature}`);
  if (index) for (const t of img.tags) await client.putManifest(img.repository, t, blob(index.descriptor.mediaType, index.bytes));
  return { digest: subject.digest, images, signature, attestations, placement, storage };
}
