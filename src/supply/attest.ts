import { digestOf } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import { ATTESTATION_MANIFEST, MEDIA, REFERENCE_DIGEST, REFERENCE_TYPE } from '../oci/media.js';

/** Bytes to be pushed, with the descriptor that names them. */
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
  const layers = attestations.map((a) => blob(MEDIA.inToto, Buffer.from(JSON.stringify(a.statement)), { annotations: { 'in-toto.io/predicate-type': a.predicateType } }));
  const config = blob(
    MEDIA.ociConfig,
    Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.descriptor.digest) } })),
  );
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: config.descriptor, layers: layers.map((l) => l.descriptor) }));
  return {
    blobs: [config, ...layers],
    manifest: blob(MEDIA.ociManifest, manifest, {
      annotations: { [REFERENCE_DIGEST]: imageDigest, [REFERENCE_TYPE]: ATTESTATION_MANIFEST },
      platform: { architecture: 'unknown', os: 'unknown' },
    }),
  };
}

/**
 * The index that replaces what was pushed: the images, each followed by its attestation manifest. Attestations
 * an earlier run attached to the same images are dropped, so a re-run gives the same index. Pure.
 */
export function indexWithAttestations(images: readonly Descriptor[], attestations: readonly Descriptor[], annotations?: Record<string, string>): Blob {
  const manifests: Descriptor[] = [];
  for (const img of images) {
    manifests.push(img);
    manifests.push(...attestations.filter((a) => a.annotations?.[REFERENCE_DIGEST] === img.digest));
  }
  const body: Record<string, unknown> = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests };
  if (annotations && Object.keys(annotations).length) body.annotations = annotations;
  return blob(MEDIA.ociIndex, Buffer.from(JSON.stringify(body)));
}
