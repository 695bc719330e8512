import type { Descriptor, Index, Manifest } from '../../oci/manifest.js';
import { isAttestation, isIndex } from '../../oci/media.js';
import type { ImageConfig } from '../../oci/config.js';
import type { RegistryClient } from '../../registry/client.js';
import { copyBlob } from '../../registry/copy.js';
import type { AssembledImage } from './assemble.js';

/**
 * diff_id → compressed blob of the image a tag points at now (its first platform), so that an unchanged layer
 * keeps the blob already pushed: no upload, and a digest that does not depend on this Node's zlib. Best effort:
 * nothing there (or unreadable) gives an empty map.
 */
export async function blobsOfCurrentImage(client: RegistryClient, repo: string, tag: string, log: (m: string) => void): Promise<Map<string, { digest: string; size: number }>> {
  const out = new Map<string, { digest: string; size: number }>();
  try {
    if (!tag || !(await client.headManifest(repo, tag))) return out;
    let m = await client.getManifest(repo, tag);
    if (isIndex(m.mediaType)) {
      const first = (JSON.parse(m.bytes.toString()) as Index).manifests.find((d) => !isAttestation(d));
      if (!first) return out;
      m = await client.getManifest(repo, first.digest);
    }
    const manifest = JSON.parse(m.bytes.toString()) as Manifest;
    const config = JSON.parse((await client.getBlob(repo, manifest.config.digest)).toString()) as ImageConfig;
    config.rootfs.diff_ids.forEach((d, i) => {
      const l = manifest.layers[i];
      if (l) out.set(d, { digest: l.digest, size: l.size });
    });
  } catch (e) {
    log(`The image ${repo}:${tag} now points at could not be read, so no layer is reused from it: ${(e as Error).message}`);
  }
  return out;
}

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

/**
 * Pushes one assembled image to one repository: every blob, then each manifest by digest, then the index by
 * digest, and the tags last, so a failure leaves no tag on a partial image. Returns the top digest.
 */
export async function pushImage(client: RegistryClient, repo: string, image: AssembledImage, tags: readonly string[], base: BaseSource): Promise<string> {
  const baseLayers = new Map<string, Descriptor>();
  for (const p of image.platforms) for (const l of p.baseLayers) baseLayers.set(l.digest, l);
  for (const d of baseLayers.values()) await baseLayer(client, repo, d, base);
  for (const l of image.layers) {
    await client.pushBlob(repo, l, () => {
      if (!l.data) throw new Error(`layer ${l.digest} was to be reused from ${repo}, but the registry no longer has it; run again`);
      return l.data;
    });
  }
  for (const p of image.platforms) await client.pushBlob(repo, p.config, () => p.config.data);
  for (const p of image.platforms) await client.putManifest(repo, p.manifest.digest, p.manifest.mediaType, p.manifest.bytes);
  const top = image.index ?? image.platforms[0].manifest;
  if (image.index) await client.putManifest(repo, image.index.digest, image.index.mediaType, image.index.bytes);
  for (const tag of tags) {
    const got = await client.putManifest(repo, tag, top.mediaType, top.bytes);
    if (got !== top.digest) throw new Error(`${repo}:${tag} reports ${got}, not this run's ${top.digest}`);
  }
  return top.digest;
}
