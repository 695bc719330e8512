import type { KeyObject } from 'node:crypto';
import type { Descriptor, Platform } from '../oci/manifest.js';
import { imageEntries, isIndex, MEDIA } from '../oci/media.js';
import { attestationManifest, blob, indexWithAttestations, type Attestation } from './attest.js';
import { signatureLayer, signatureManifest, signatureTag, signPayload, simpleSigningPayload } from './cosign.js';
import type { SupplyRegistry } from './registry.js';

/** One pushed repository: where, which digest docker pushed, and the tags that point at it. */
export interface PushedImage {
  /** registry/repository as tags are written. */
  name: string;
  /** The repository path inside the registry. */
  repository: string;
  /** The identity cosign signs: registry/repository (index.docker.io/… for Docker Hub). */
  dockerReference: string;
  digest: string;
  tags: string[];
}

export interface Attached {
  /** The digest the tags point at now: the new index, or the pushed digest when nothing was attached. */
  digest: string;
  /** Image manifests the attestations are about, with their platforms. */
  images: (Descriptor & { platform: Platform })[];
  /** `name:sha256-….sig` when signed. */
  signature?: string;
}

interface Parsed {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  annotations?: Record<string, string>;
}

/** The image manifests behind what docker pushed (itself, or an index's entries), each with its platform. */
async function imageManifests(client: SupplyRegistry, img: PushedImage): Promise<{ images: Attached['images']; annotations?: Record<string, string> }> {
  const top = await client.getManifest(img.repository, img.digest);
  if (!top) throw new Error(`${img.name}@${img.digest} is not in the registry`);
  const parsed = JSON.parse(top.bytes.toString('utf8')) as Parsed;
  if (isIndex(top.mediaType) || parsed.manifests) {
    const images = imageEntries(parsed.manifests ?? []);
    return { images, annotations: parsed.annotations };
  }
  if (!parsed.config) throw new Error(`${img.name}@${img.digest} has no config`);
  const config = JSON.parse((await client.getBlob(img.repository, parsed.config.digest)).toString('utf8')) as Partial<Platform>;
  const platform: Platform = { architecture: config.architecture ?? 'unknown', os: config.os ?? 'unknown', ...(config.variant ? { variant: config.variant } : {}) };
  return { images: [{ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length, platform }] };
}

/**
 * Attaches attestations and a signature to one pushed repository, as BuildKit and cosign would: attestation
 * manifests and the new index by digest, then the signature, then every tag moved to the index last.
 */
export async function attach(
  client: SupplyRegistry,
  img: PushedImage,
  attestationsFor: (image: Descriptor & { platform: Platform }) => Attestation[],
  key: KeyObject | undefined,
  log: (m: string) => void,
): Promise<Attached> {
  const { images, annotations } = await imageManifests(client, img);
  let digest = img.digest;
  const attestations: Descriptor[] = [];
  for (const image of images) {
    const list = attestationsFor(image);
    if (!list.length) continue;
    const att = attestationManifest(image.digest, list);
    for (const b of att.blobs) await client.pushBlob(img.repository, b);
    await client.putManifest(img.repository, att.manifest.descriptor.digest, att.manifest);
    attestations.push(att.manifest.descriptor);
  }
  let index;
  if (attestations.length) {
    index = indexWithAttestations(images, attestations, annotations);
    digest = await client.putManifest(img.repository, index.descriptor.digest, index);
    log(`${img.name}@${digest}: an index of ${images.length} image(s) and ${attestations.length} attestation manifest(s).`);
  }
  let signature: string | undefined;
  if (key) {
    const tag = signatureTag(digest);
    const payload = simpleSigningPayload(img.dockerReference, digest);
    const layer = signatureLayer(payload, signPayload(key, payload));
    // cosign keeps every signature of a digest in one manifest: add ours to what is there
    const old = await client.getManifest(img.repository, tag);
    const kept = old ? ((JSON.parse(old.bytes.toString('utf8')) as { layers?: Descriptor[] }).layers ?? []).filter((l) => l.mediaType === MEDIA.cosignSimpleSigning) : [];
    const sig = signatureManifest([...kept, layer.descriptor]);
    await client.pushBlob(img.repository, layer);
    await client.pushBlob(img.repository, sig.config);
    await client.putManifest(img.repository, tag, sig.manifest);
    signature = `${img.name}:${tag}`;
    log(`Signed ${img.name}@${digest}: ${signature}`);
  }
  if (index) for (const t of img.tags) await client.putManifest(img.repository, t, blob(index.descriptor.mediaType, index.bytes));
  return { digest, images, signature };
}
