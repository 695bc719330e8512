import type { Descriptor } from '../../oci/manifest.js';
import type { RegistryClient } from '../../registry/client.js';
import { copyBlob } from '../../registry/copy.js';
import type { AssembledImage } from './assemble.js';

export interface BaseSource {
  client: RegistryClient;
  repository: string;
  /** The base lives on the target's registry: its layers can be mounted. */
  sameRegistry: boolean;
  /** Where a layer copied from another registry waits on disk (RUNNER_TEMP). */
  tempDir: string;
}

class NeedsCopy extends Error {}

/** A base layer into the target repository: there already, mounted from the base repository, or copied over. */
async function baseLayer(client: RegistryClient, repo: string, d: Descriptor, base: BaseSource): Promise<void> {
  if (base.sameRegistry) {
    try {
      await client.pushBlob(repo, d, () => {
        throw new NeedsCopy();
      }, [base.repository]);
      return;
    } catch (e) {
      if (!(e instanceof NeedsCopy)) throw e;
    }
  } else if (await client.hasBlob(repo, d.digest)) return;
  await copyBlob(base, { client, repository: repo }, d, base.tempDir);
}

/** How the run's own layers reached one repository: already there (HEAD of the digest this run computed), mounted, uploaded. */
export interface LayerPushes {
  exists: number;
  mounted: number;
  uploaded: number;
}

/**
 * Pushes one assembled image to one repository: every blob, then each manifest by digest, then the index by
 * digest, and the tags last, so a failure leaves no tag on a partial image. The run's own layers go by the digests
 * it computed: a HEAD finds one the repository holds, `mountFrom` (repositories of this registry this run pushed to)
 * may mount it, else it is uploaded. A config goes up without a HEAD when one of the run's layers was not there.
 * Returns the top digest.
 */
export async function pushImage(client: RegistryClient, repo: string, image: AssembledImage, tags: readonly string[], base: BaseSource, mountFrom: readonly string[] = []): Promise<{ digest: string; layers: LayerPushes }> {
  const baseLayers = new Map<string, Descriptor>();
  for (const p of image.platforms) for (const l of p.baseLayers) baseLayers.set(l.digest, l);
  for (const d of baseLayers.values()) await baseLayer(client, repo, d, base);
  const layers: LayerPushes = { exists: 0, mounted: 0, uploaded: 0 };
  for (const l of image.layers) {
    const how = await client.pushBlob(repo, l, () => {
      if (!l.data) throw new Error(`layer ${l.digest} has no bytes to upload`);
      return l.data;
    }, [...mountFrom]);
    layers[how]++;
  }
  // a config names every layer's diff_id: when the repository lacked one of them, it cannot hold this config yet
  const configsAbsent = layers.mounted + layers.uploaded > 0;
  for (const p of image.platforms) await client.pushBlob(repo, p.config, () => p.config.data, [], configsAbsent);
  for (const p of image.platforms) await client.putManifest(repo, p.manifest.digest, p.manifest.mediaType, p.manifest.bytes);
  const top = image.index ?? image.platforms[0].manifest;
  if (image.index) await client.putManifest(repo, image.index.digest, image.index.mediaType, image.index.bytes);
  await tagImage(client, repo, image, tags);
  return { digest: top.digest, layers };
}

/** Writes each tag of `repo` as the image's top manifest (pushed by digest already), checking the digest answered. */
export async function tagImage(client: RegistryClient, repo: string, image: AssembledImage, tags: readonly string[]): Promise<void> {
  const top = image.index ?? image.platforms[0].manifest;
  for (const tag of tags) {
    const got = await client.putManifest(repo, tag, top.mediaType, top.bytes);
    if (got !== top.digest) throw new Error(`${repo}:${tag} reports ${got}, not this run's ${top.digest}`);
  }
}
