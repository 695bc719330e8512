import { gunzipSync } from 'node:zlib';
import { platform, type CacheState } from '../../cache/caches.js';
import { gzipFlavour, layerDigestsKey, maxGzipBytes, parseDigests, readDigestsFile, serializeDigests, writeDigestsFile, type DigestEntry } from '../../cache/layer-digests.js';
import { layerBlob, type AppLayer, type Blob, type RunLayer } from './assemble.js';

/** A blob's bytes from the target repository, or undefined when it does not hold it. */
export type FetchBlob = (entry: DigestEntry) => Promise<Buffer | undefined>;

/**
 * Whether `data` is a gzip stream of exactly `tar`: every byte read (nothing after the stream), and the inflated
 * bytes equal to the tar this run made. Never throws. Pure.
 */
export function holdsLayer(data: Buffer, tar: Buffer): boolean {
  try {
    const { buffer, engine } = gunzipSync(data, { info: true, maxOutputLength: tar.length + 1 }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return engine.bytesWritten === data.length && buffer.equals(tar);
  } catch {
    return false;
  }
}

export interface MadeBlobs {
  /** No bytes for a layer the image record names: the repository holds it already (checked in restore). */
  blobs: Blob[];
  /** diff_id → digest and size of every layer of this run, as this run made or checked them. */
  own: Map<string, DigestEntry>;
  /** Layers whose cached digest was checked against the registry's blob: no gzip for them. */
  checked: number;
  /** Layers the image record named: neither tarred nor gzipped. */
  recorded: number;
  /** Cached entries that were not used, and why (for the log); the fresh digest replaces them. */
  dropped: string[];
}

/** The cached blob of a layer, when the repository holds it and it decompresses to the layer's tar; else why not. */
async function checkedBlob(layer: AppLayer, entry: DigestEntry, fetch: FetchBlob): Promise<(Blob & { data: Buffer }) | string> {
  if (entry.size > maxGzipBytes(layer.tar.length)) return `${entry.digest} claims ${entry.size} bytes, more than any gzip of a ${layer.tar.length}-byte tar`;
  const data = await fetch(entry);
  if (!data) return `${entry.digest} is not in the repository`;
  if (data.length !== entry.size || !holdsLayer(data, layer.tar)) return `${entry.digest} does not decompress to this run's tar ${layer.diffId}`;
  return { digest: entry.digest, size: entry.size, data };
}

/**
 * Each layer's blob. A layer the cache names is fetched by that digest from the target repository and used only
 * when it decompresses to this run's own tar (checked here, byte for byte); else, or when the repository lacks it,
 * the layer is gzipped as usual and the fresh digest wins. So a poisoned entry can cost time, never put a blob into
 * the manifest that this run has not verified.
 */
export async function makeBlobs(layers: readonly RunLayer[], cached: ReadonlyMap<string, DigestEntry>, fetch: FetchBlob): Promise<MadeBlobs> {
  const out: MadeBlobs = { blobs: [], own: new Map(), checked: 0, recorded: 0, dropped: [] };
  for (const layer of layers) {
    if ('made' in layer) {
      const { made } = layer;
      out.blobs.push({ digest: made.digest, size: made.size });
      out.own.set(layer.diffId, made);
      out.recorded++;
      continue;
    }
    const entry = cached.get(layer.diffId);
    const got = entry ? await checkedBlob(layer, entry, fetch) : undefined;
    let blob: Blob & { data: Buffer };
    if (got && typeof got !== 'string') {
      blob = got;
      out.checked++;
    } else {
      blob = layerBlob(layer);
      // a blob the registry lacks is expected (another registry, a pruned one); only a wrong digest is news
      if (entry && blob.digest !== entry.digest) out.dropped.push(typeof got === 'string' ? got : `${entry.digest} is not this run's gzip`);
    }
    out.blobs.push(blob);
    out.own.set(layer.diffId, { digest: blob.digest, size: blob.size });
  }
  return out;
}

/**
 * The run's layer blobs, with the layer-digest cache when it was restored: read it, make the blobs, and write the
 * file for post to save when it changed (`cache.save` then names its content). Says in one line what happened.
 */
export async function blobsOfRun(layers: readonly RunLayer[], cache: CacheState['nativeLayers'], fetch: FetchBlob, log: (m: string) => void): Promise<MadeBlobs> {
  const flavour = gzipFlavour();
  const text = cache ? readDigestsFile(cache.path) : undefined;
  const cached = parseDigests(text, flavour);
  const t0 = Date.now();
  const made = await makeBlobs(layers, cached, fetch);
  const secs = ((Date.now() - t0) / 1000).toFixed(2);
  for (const d of made.dropped) log(`Layer-digest cache entry not used, the layer is gzipped instead: ${d}.`);
  if (cache) {
    log(`Layer blobs in ${secs} s: ${made.checked} of ${layers.length} layer(s) from the layer-digest cache, each checked to be the registry's blob of this run's own tar (not gzipped); ${made.recorded ? `${made.recorded} from the image record; ` : ''}${layers.length - made.checked - made.recorded} gzipped.`);
    const content = serializeDigests(made.own, cached, flavour);
    if (content !== text) {
      writeDigestsFile(cache.path, content);
      cache.save = layerDigestsKey(platform(), flavour, content).key;
    }
  } else log(`Layer blobs in ${secs} s: ${layers.length - made.recorded} layer(s) gzipped (no layer-digest cache)${made.recorded ? `; ${made.recorded} from the image record` : ''}.`);
  return made;
}
