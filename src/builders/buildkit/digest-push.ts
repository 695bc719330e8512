/**
 * A push-by-digest leg on the docker driver, which cannot push by digest itself: the run's image is saved from the
 * engine into an OCI layout and pushed by our registry client, untagged, as the same manifest to every image.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ImageConfig } from '../../oci/config.js';
import { pickPlatforms, type Descriptor, type Index, type Manifest } from '../../oci/manifest.js';
import { isIndex, isUncompressedLayer, MEDIA } from '../../oci/media.js';
import { errorMessage } from '../../errors.js';
import type { RegistryClient } from '../../registry/client.js';
import { copyBlob } from '../../registry/copy.js';
import { digestOf } from '../../oci/digest.js';
import type { ImageName } from '../../oci/name.js';
import type { ImageStats } from '../../report/summary.js';
import { digestRef, targetsByRegistry, type Target } from '../../targets.js';
import { pushedTargets, type RegistryResult } from './publish.js';
import type { PushResult } from './push.js';
import { blobPath, configPlatform, layoutManifest, rewriteManifest } from './layout.js';
import { gzipFile } from './save.js';

/** Where a compressed blob can be had: a repository that holds it. */
export interface BlobSource {
  registry: string;
  repository: string;
}

/** An image whose layers may already be in a registry, compressed: the base (never what a tag points at now). */
export interface ReuseSource extends BlobSource {
  reference: string;
}

interface Layer {
  descriptor: Descriptor;
  /** The blob's bytes on disk, when this run has them. */
  file?: string;
  /** Else the repository the blob is copied or mounted from. */
  from?: BlobSource;
}

export interface SavedImage {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  config: { descriptor: Descriptor; bytes: Buffer; platform: string };
  layers: Layer[];
}

type Client = (registry: string) => RegistryClient;

/**
 * diff_id → compressed blob of one platform of `source` (best effort: nothing readable gives nothing). Only
 * gzip layers count, so a reused blob is what a fresh gzip of that tar would be, in content if not in bytes.
 */
async function compressedByDiffId(client: Client, source: ReuseSource, platform: string, log: (m: string) => void): Promise<Map<string, Layer>> {
  const out = new Map<string, Layer>();
  try {
    const c = client(source.registry);
    let m = await c.getManifest(source.repository, source.reference);
    if (isIndex(m.mediaType)) {
      const [hit] = pickPlatforms(JSON.parse(m.bytes.toString()) as Index, [platform.split('/').slice(0, 2).join('/')]);
      m = await c.getManifest(source.repository, hit.digest);
    }
    const manifest = JSON.parse(m.bytes.toString()) as Manifest;
    const config = JSON.parse((await c.getBlob(source.repository, manifest.config.digest)).toString()) as ImageConfig;
    config.rootfs.diff_ids.forEach((diffId, i) => {
      const l = manifest.layers[i];
      if (l && /tar\+gzip$|tar\.gzip$/.test(l.mediaType)) out.set(diffId, { descriptor: { mediaType: MEDIA.ociLayer, digest: l.digest, size: l.size }, from: source });
    });
  } catch (e) {
    log(`No layer is reused from ${source.registry}/${source.repository}:${source.reference}: ${errorMessage(e)}`);
  }
  return out;
}

/**
 * The saved image as it goes to the registries. The containerd store's save holds the engine's own compressed
 * blobs and manifest: those go as they are. The classic store's holds plain tars: each is gzipped (a blob a
 * `reuse` image already has for that diff_id is taken instead, so base layers are not uploaded again) into `work`,
 * and a new manifest names them, the config unchanged.
 */
export async function prepareSaved(layout: string, work: string, client: Client, reuse: readonly ReuseSource[], log: (m: string) => void): Promise<SavedImage> {
  const read = (digest: string): Buffer => readFileSync(path.join(layout, blobPath(digest)));
  const top = layoutManifest(readFileSync(path.join(layout, 'index.json')), read);
  const configBytes = read(top.manifest.config.digest);
  const config = JSON.parse(configBytes.toString()) as ImageConfig;
  const platform = configPlatform(config);
  const saved = { config: { descriptor: top.manifest.config, bytes: configBytes, platform } };
  const onDisk = top.manifest.layers.map((d) => ({ descriptor: d, file: path.join(layout, blobPath(d.digest)) }));
  if (!top.manifest.layers.some(isUncompressedLayer)) return { digest: top.digest, mediaType: top.mediaType, bytes: top.bytes, ...saved, layers: onDisk };

  const known = new Map<string, Layer>();
  for (const source of reuse) for (const [diffId, layer] of await compressedByDiffId(client, source, platform, log)) if (!known.has(diffId)) known.set(diffId, layer);
  const layers: Layer[] = [];
  for (const [i, l] of onDisk.entries()) {
    const diffId = config.rootfs.diff_ids[i];
    const hit = isUncompressedLayer(l.descriptor) ? known.get(diffId) : undefined;
    if (hit) layers.push(hit);
    else if (!isUncompressedLayer(l.descriptor)) layers.push(l);
    else {
      const file = path.join(work, `layer-${i}.tar.gz`);
      const gz = await gzipFile(l.file, file);
      layers.push({ descriptor: { mediaType: MEDIA.ociLayer, digest: gz.digest, size: gz.size }, file });
    }
  }
  const reused = layers.filter((l) => l.from).length;
  if (reused) log(`${reused} of ${layers.length} layer(s) reused compressed from ${[...new Set(layers.flatMap((l) => (l.from ? [`${l.from.registry}/${l.from.repository}`] : [])))].join(', ')}; the others gzipped.`);
  const rewritten = rewriteManifest(top.manifest, layers.map((l) => l.descriptor));
  return { digest: digestOf(rewritten.bytes), mediaType: rewritten.mediaType, bytes: rewritten.bytes, ...saved, layers };
}

class NeedsCopy extends Error {}

/**
 * One layer into `repo`: there already, mounted from a repository of the same registry, uploaded from its file, or
 * copied over through a file in `work`.
 */
async function pushLayer(client: Client, registry: string, repo: string, layer: Layer, mountFrom: string[], work: string): Promise<void> {
  const c = client(registry);
  const d = { digest: layer.descriptor.digest, size: layer.descriptor.size };
  const from = layer.from?.registry === registry ? [layer.from.repository] : [];
  try {
    await c.pushBlob(repo, d, () => {
      if (!layer.file) throw new NeedsCopy();
      return { file: layer.file };
    }, [...from, ...mountFrom]);
    return;
  } catch (e) {
    if (!(e instanceof NeedsCopy)) throw e;
  }
  await copyBlob({ client: client(layer.from!.registry), repository: layer.from!.repository }, { client: c, repository: repo }, d, work);
}

/** The blobs, then the manifest by its digest (no tag), then a check that the registry serves that digest. */
async function pushOne(client: Client, img: ImageName, image: SavedImage, mountFrom: string[], work: string): Promise<void> {
  const c = client(img.registry);
  for (const layer of image.layers) await pushLayer(client, img.registry, img.repository, layer, mountFrom, work);
  await c.pushBlob(img.repository, image.config.descriptor, () => image.config.bytes);
  const got = await c.putManifest(img.repository, image.digest, image.mediaType, image.bytes);
  const served = await c.headManifest(img.repository, image.digest);
  if (got !== image.digest || served?.digest !== image.digest) {
    throw new Error(`${img.name}@${image.digest}: the registry answers ${served?.digest ?? 'nothing'} for the manifest this run computed`);
  }
}

/**
 * Pushes the same manifest, by digest only, to every image; a registry that fails does not stop the others
 * (the caller fails the step, naming it). Layers are mounted, when they can be, from `mountable` repositories
 * and from the images already pushed on the same registry. `pushes` hold `<image>@<digest>`, one per image.
 */
export async function pushSavedByDigest(
  image: SavedImage,
  targets: readonly Target[],
  client: Client,
  mountable: readonly BlobSource[],
  log: (m: string) => void,
  work: string,
): Promise<{ pushes: PushResult[]; results: RegistryResult[]; stats: ImageStats }> {
  const pushes: PushResult[] = [];
  const results: RegistryResult[] = [];
  for (const [registry, here] of targetsByRegistry(targets)) {
    const c = client(registry);
    const before = c.stats.bytesUploaded;
    const done: PushResult[] = [];
    // the base's repository may hold the layers (the containerd store keeps the base's own compressed blobs)
    const mountFrom: string[] = mountable.filter((m) => m.registry === registry).map((m) => m.repository);
    let error: string | undefined;
    for (const { image: img } of here) {
      try {
        await pushOne(client, img, image, mountFrom, work);
        mountFrom.unshift(img.repository);
        done.push({ ref: digestRef(img, image.digest), image: img, digest: image.digest, attempts: 1 });
      } catch (e) {
        error ??= errorMessage(e);
        log(`${registry}: ${errorMessage(e)}`);
      }
    }
    pushes.push(...done);
    const uploadedBytes = c.stats.bytesUploaded - before;
    const refs = done.map((d) => d.ref);
    if (!error) log(`Pushed ${refs.join(', ')} (no tag): ${uploadedBytes} bytes uploaded.`);
    results.push({ registry, refs, digest: done.length ? image.digest : '', pushed: !error && done.length > 0, error, uploadedBytes, targets: pushedTargets(here, done) });
  }
  const stats = { bytes: image.layers.reduce((n, l) => n + l.descriptor.size, 0), layers: image.layers.length, compressed: true };
  return { pushes, results, stats };
}
