/** The media types of images, indexes and what hangs off them, and what an index entry is: the one definition. */

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  /** An in-toto statement: a layer of a BuildKit attestation manifest. */
  inToto: 'application/vnd.in-toto+json',
  /** cosign's signed payload: a layer of a signature manifest. */
  cosignSimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  /** A DSSE envelope: a layer of cosign 2's `.att` manifest. */
  dsseEnvelope: 'application/vnd.dsse.envelope.v1+json',
  /** A Sigstore bundle v0.3: the artifact type and layer of cosign v3's referrers. */
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  /** The empty descriptor's type: an OCI 1.1 artifact's config. */
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** What a registry is asked for when a manifest is read: either index type, either manifest type. */
export const MANIFEST_TYPES: readonly string[] = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest];

/** The annotations BuildKit puts on an attestation manifest's index entry: what it is, and which image it is about. */
export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const ATTESTATION_MANIFEST = 'attestation-manifest';

export function isIndex(mediaType: string): boolean {
  return mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
}

/** A layer that is a plain tar (the classic store's `docker save`), which registries should get gzipped. Pure. */
export function isUncompressedLayer(d: { mediaType: string }): boolean {
  return d.mediaType === MEDIA.ociLayerTar || d.mediaType === MEDIA.dockerLayerTar;
}

interface Entry {
  platform?: { os?: string; architecture?: string };
  annotations?: Record<string, string>;
}

/**
 * An index entry that is not an image of some platform: BuildKit's attestation manifest. BuildKit marks it twice,
 * with `vnd.docker.reference.type: attestation-manifest` and with the platform unknown/unknown; either mark is
 * enough, since no runtime runs unknown/unknown and the annotation says what the entry is. Pure.
 */
export function isAttestation(d: Entry): boolean {
  return d.annotations?.[REFERENCE_TYPE] === ATTESTATION_MANIFEST || (d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown');
}

/** The entries of an index that are images: a platform, and not an attestation. Pure. */
export function imageEntries<T extends Entry>(manifests: readonly T[]): (T & { platform: NonNullable<T['platform']> })[] {
  return manifests.filter((d): d is T & { platform: NonNullable<T['platform']> } => Boolean(d.platform) && !isAttestation(d));
}
