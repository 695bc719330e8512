/**
 * Whose image a sha tag names. A commit of a pull request can also be built by another run (a fast-forward or
 * rebase merge puts it on main, whose push run tags `sha-<commit>` too): the tag is the preview's only when its
 * image's `org.opencontainers.image.version` label is the version a preview run of that pull request writes.
 */
import { imageEntries, isIndex } from '../oci/media.js';
import type { RegistryClient } from '../registry/client.js';

const VERSION = 'org.opencontainers.image.version';

/** The version label of the image `digest` names (an index: its first platform image's); undefined without one. */
export async function versionLabel(client: RegistryClient, repo: string, digest: string): Promise<string | undefined> {
  let m = await client.getManifest(repo, digest);
  if (isIndex(m.mediaType)) {
    const first = imageEntries((JSON.parse(m.bytes.toString('utf8')) as { manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[] }).manifests ?? [])[0];
    if (!first) return undefined;
    m = await client.getManifest(repo, first.digest);
  }
  const config = (JSON.parse(m.bytes.toString('utf8')) as { config?: { digest?: string; size?: number } }).config;
  if (!config?.digest) return undefined;
  const doc = JSON.parse((await client.getBlob(repo, config.digest, config.size)).toString('utf8')) as { config?: { Labels?: Record<string, unknown> | null } };
  const v = doc.config?.Labels?.[VERSION];
  return typeof v === 'string' ? v : undefined;
}
