import type { Descriptor } from '../oci/manifest.js';
import { MEDIA } from '../oci/media.js';
import { blob, type Blob } from './attest.js';
import type { SupplyRegistry } from './registry.js';

const EMPTY = blob(MEDIA.ociEmpty, Buffer.from('{}'));

/** A descriptor of an OCI 1.1 referrer, as the referrers API lists it. */
export type Referrer = Descriptor & { artifactType: string };

/**
 * Whether a registry serves the referrers API, from its answer to `GET /v2/<name>/referrers/<digest>` (distribution
 * spec v1.1): 200 with an image index = served; 404 = not served (the client then keeps the referrers tag schema).
 * 400, 405 and 406, which registries older than the API give for an unknown route, and a 200 that is no index count
 * as not served, as go-containerregistry (cosign's client) reads them. Pure.
 */
export function referrersServed(status: number, mediaType: string | undefined, body: Buffer): boolean {
  if (status !== 200) return false;
  if (mediaType && mediaType !== MEDIA.ociIndex && mediaType !== 'application/json') return false;
  try {
    const doc = JSON.parse(body.toString('utf8')) as { manifests?: unknown };
    return Array.isArray(doc.manifests);
  } catch {
    return false;
  }
}

/** The referrers tag schema's tag for a subject: `<alg>-<hex>` (alg cut to 32, hex to 64 characters). Pure. */
export function fallbackTag(digest: string): string {
  const [alg, hex] = digest.split(':');
  return `${alg.slice(0, 32)}-${hex.slice(0, 64)}`;
}

/**
 * An OCI 1.1 artifact manifest about `subject`: the empty config, one layer, the artifactType, and the annotations
 * (cosign v3 writes `dev.sigstore.bundle.*` and `org.opencontainers.image.created`). Pure.
 */
export function referrerManifest(subject: Descriptor, artifactType: string, layer: Blob, annotations: Record<string, string>): { manifest: Blob; referrer: Referrer } {
  const body = { schemaVersion: 2, mediaType: MEDIA.ociManifest, artifactType, config: EMPTY.descriptor, layers: [layer.descriptor], subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, annotations };
  const manifest = blob(MEDIA.ociManifest, Buffer.from(JSON.stringify(body)));
  return { manifest, referrer: { ...manifest.descriptor, artifactType, annotations } };
}

/** The referrers tag schema's index with one more referrer (a referrer already listed is not listed twice). Pure. */
export function withReferrer(existing: Buffer | undefined, r: Referrer): Blob {
  const old = existing ? ((JSON.parse(existing.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? []) : [];
  const manifests = [...old.filter((d) => d.digest !== r.digest), r];
  return blob(MEDIA.ociIndex, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests })));
}

/** Asks the registry whether it serves the referrers API, about the digest that was pushed. */
export async function probeReferrers(client: SupplyRegistry, repo: string, digest: string): Promise<boolean> {
  const r = await client.referrers(repo, digest);
  return referrersServed(r.status, r.mediaType, r.body);
}

/**
 * Pushes one referrer of `subject`: its layer, the empty config, the manifest by digest. Where the registry does not
 * serve the API, the referrers tag schema's index (`sha256-<hex>`) gets it too, as the distribution spec asks of clients.
 */
export async function pushReferrer(client: SupplyRegistry, repo: string, subject: Descriptor, artifactType: string, layer: Blob, annotations: Record<string, string>, served: boolean): Promise<string> {
  const { manifest, referrer } = referrerManifest(subject, artifactType, layer, annotations);
  await client.pushBlob(repo, EMPTY);
  await client.pushBlob(repo, layer);
  const digest = await client.putManifest(repo, manifest.descriptor.digest, manifest);
  if (!served) {
    const tag = fallbackTag(subject.digest);
    const old = await client.getManifest(repo, tag);
    await client.putManifest(repo, tag, withReferrer(old?.bytes, referrer));
  }
  return digest;
}
