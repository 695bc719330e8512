import { digestOf } from '../oci/digest.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const IN_TOTO = 'application/vnd.in-toto+json';
const REF_TYPE = 'vnd.docker.reference.type';
const REF_DIGEST = 'vnd.docker.reference.digest';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** Bytes to be pushed, with the descriptor that names them. */
export { digestOf };

export interface Blob {
  bytes: Buffer;
  descriptor: Descriptor;
}


export function blob(mediaType: string, bytes: Buffer, extra: Pick<Descriptor, 'annotations' | 'platform'> = {}): Blob {
  return { bytes, descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length, ...extra } };
}

/** An in-toto statement, and the predicate type BuildKit annotates its layer with. */
export interface Attestation {
  predicateType: string;
  statement: unknown;
}

/** One attestation manifest: its blobs (config, statements) and the manifest itself. */
export interface AttestationManifest {
  blobs: Blob[];
  manifest: Blob;
}

/**
 * The attestation manifest BuildKit writes for one image manifest: an OCI image whose config is
 * unknown/unknown and whose layers are the in-toto statements, each annotated with its predicate type.
 * Its index entry points back at the image with vnd.docker.reference.{type,digest}. Pure.
 */
export function attestationManifest(imageDigest: string, attestations: readonly Attestation[]): AttestationManifest {
  const layers = attestations.map((a) => blob(IN_TOTO, Buffer.from(JSON.stringify(a.statement)), { annotations: { 'in-toto.io/predicate-type': a.predicateType } }));
  const config = blob(
    OCI_CONFIG,
    Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.descriptor.digest) } })),
  );
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: config.descriptor, layers: layers.map((l) => l.descriptor) }));
  return {
    blobs: [config, ...layers],
    manifest: blob(OCI_MANIFEST, manifest, {
      annotations: { [REF_DIGEST]: imageDigest, [REF_TYPE]: 'attestation-manifest' },
      platform: { architecture: 'unknown', os: 'unknown' },
    }),
  };
}

/** True for an index entry that is an attestation, not an image. Pure. */
export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.[REF_TYPE] === 'attestation-manifest';
}

/**
 * The index that replaces what was pushed: the images, each followed by its attestation manifest. Attestations
 * an earlier run attached to the same images are dropped, so a re-run gives the same index. Pure.
 */
export function indexWithAttestations(images: readonly Descriptor[], attestations: readonly Descriptor[], annotations?: Record<string, string>): Blob {
  const manifests: Descriptor[] = [];
  for (const img of images) {
    manifests.push(img);
    manifests.push(...attestations.filter((a) => a.annotations?.[REF_DIGEST] === img.digest));
  }
  const body: Record<string, unknown> = { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
  if (annotations && Object.keys(annotations).length) body.annotations = annotations;
  return blob(OCI_INDEX, Buffer.from(JSON.stringify(body)));
}

/** `linux/amd64/v8`-style name of a platform, as purls and subjects carry it. Pure. */
export function platformName(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
