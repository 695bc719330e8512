/**
 * How a plan is carried out on one registry. The distribution API deletes manifests by digest (distribution drops
 * the tags that name them); the GitHub Packages API deletes a ghcr.io version; Docker Hub's API deletes tags. A tag
 * whose manifest stays (another tag names it) is moved onto a one-off placeholder manifest, which is then deleted:
 * no registry is asked to delete a tag by name, which some take as "delete the manifest".
 */
import { MEDIA } from '../oci/media.js';
import { RegistryError, type RegistryClient } from '../registry/client.js';
import { blob } from '../supply/attest.js';
import { ApiError } from './api.js';
import type { DockerHubTags } from './hub.js';
import type { PackageVersions } from './packages.js';
import type { RemovalPlan } from './plan.js';

/** The registry does not let this client delete: a warning naming it, never a failure. */
export class DeletionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeletionRefused';
  }
}

export type Deleter = { kind: 'distribution' } | { kind: 'packages'; versions: PackageVersions } | { kind: 'hub'; hub: DockerHubTags };

export interface Done {
  tags: string[];
  manifests: number;
}

const EMPTY = blob(MEDIA.ociEmpty, Buffer.from('{}'));

/** A manifest of nothing, unique to this tag and moment, that takes the tag off a manifest that stays. Pure. */
export function placeholder(tag: string, now: Date): Buffer {
  const annotations = { 'org.opencontainers.image.description': `image-publish: placeholder that removes the tag ${tag}`, 'org.opencontainers.image.created': now.toISOString() };
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, artifactType: 'application/vnd.image-publish.placeholder', config: EMPTY.descriptor, layers: [EMPTY.descriptor], annotations }));
}

/** A refusal (405, UNSUPPORTED, 403 from the registry or an API) as DeletionRefused; anything else as it was. */
function refusal(e: unknown, registry: string, hint: string): unknown {
  const status = e instanceof RegistryError || e instanceof ApiError ? e.status : undefined;
  const unsupported = e instanceof RegistryError && e.codes.includes('UNSUPPORTED');
  if (status === 405 || status === 403 || unsupported) return new DeletionRefused(`${registry} refused the deletion (${e instanceof Error ? e.message : String(e)})${hint}`);
  return e;
}

async function deleteManifest(d: Deleter, client: RegistryClient, repo: string, digest: string): Promise<void> {
  if (d.kind === 'packages') await d.versions.deleteDigest(digest);
  else await client.deleteManifest(repo, digest);
}

async function untag(d: Deleter, client: RegistryClient, repo: string, tag: string, now: Date): Promise<void> {
  await client.pushBlob(repo, { digest: EMPTY.descriptor.digest, size: EMPTY.bytes.length }, () => EMPTY.bytes);
  const digest = await client.putManifest(repo, tag, MEDIA.ociManifest, placeholder(tag, now));
  await deleteManifest(d, client, repo, digest);
}

async function carryOut(d: Deleter, client: RegistryClient, repo: string, plan: RemovalPlan, now: Date): Promise<Done> {
  if (d.kind === 'hub') {
    for (const t of plan.tags) await d.hub.deleteTag(repo, t);
    return { tags: plan.tags, manifests: 0 };
  }
  for (const t of plan.untag) await untag(d, client, repo, t, now);
  for (const m of plan.manifests) await deleteManifest(d, client, repo, m);
  // a registry that keeps a tag of a deleted manifest: the tag goes the placeholder's way
  const left = (await client.listTags(repo)).filter((t) => plan.tags.includes(t));
  for (const t of left) await untag(d, client, repo, t, now);
  return { tags: plan.tags, manifests: plan.manifests.length };
}

/** Carries out `plan` on `repo`; a refusal is DeletionRefused, naming the registry. */
export async function removeFrom(d: Deleter, client: RegistryClient, registry: string, repo: string, plan: RemovalPlan, now: Date): Promise<Done> {
  const hint = d.kind === 'packages' ? '; the token needs `packages: write` and admin access to the package' : d.kind === 'hub' ? '' : '; distribution needs storage.delete.enabled';
  try {
    return await carryOut(d, client, repo, plan, now);
  } catch (e) {
    throw refusal(e, registry, hint);
  }
}
