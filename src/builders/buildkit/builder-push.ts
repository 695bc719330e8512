import { errorMessage } from '../../errors.js';
import { refsByRegistry, type RegistryResult } from './publish.js';
import type { PushResult } from './push.js';
import { manifestStats } from './stats.js';
import { isAttestation } from '../../oci/media.js';
import type { RegistryClient } from '../../registry/client.js';
import { splitRef, type ImageName } from '../../oci/name.js';
import type { ImageStats } from '../../report/summary.js';
import type { Published, PublishMode } from '../builder.js';

interface Found {
  image: ImageName;
  mediaType: string;
  bytes: Buffer;
}

interface ManifestJson {
  layers?: { size: number }[];
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
}

/** Size and layers of the image: the manifest's, or an index's first real platform's. */
async function statsOf(c: RegistryClient, found: Found): Promise<ImageStats | undefined> {
  const top = JSON.parse(found.bytes.toString('utf8')) as ManifestJson;
  if (top.layers) return manifestStats(top);
  const pick = top.manifests?.find((m) => !isAttestation(m));
  if (!pick) return undefined;
  const inner = await c.getManifest(found.image.repository, pick.digest);
  return manifestStats(JSON.parse(inner.bytes.toString('utf8')) as ManifestJson);
}

/**
 * After a builder pushed the manifest `digest` to every image by digest: checks that each registry has it, then (mode
 * 'tags') writes every tag with our registry client, the manifest's own bytes PUT under the tag, the answered digest
 * checked. Tags come only once every registry has the manifest; a registry without it gets no tag anywhere.
 */
export async function publishFromBuilder(
  client: (registry: string) => RegistryClient,
  images: readonly ImageName[],
  refs: readonly string[],
  digest: string,
  mode: PublishMode,
  log: (m: string) => void,
): Promise<Published> {
  const found = new Map<ImageName, Found>();
  const missing = new Map<string, string>();
  for (const image of images) {
    try {
      const m = await client(image.registry).getManifest(image.repository, digest);
      found.set(image, { image, mediaType: m.mediaType, bytes: m.bytes });
    } catch (e) {
      if (!missing.has(image.registry)) missing.set(image.registry, `${image.name}@${digest}: ${errorMessage(e)}`);
    }
  }
  const first = [...found.values()][0];
  const stats = first ? await statsOf(client(first.image.registry), first).catch(() => undefined) : undefined;
  const pushes: PushResult[] = [];
  const results: RegistryResult[] = [];
  const byRegistry = mode === 'digest' ? new Map(images.map((i) => [i.registry, [] as string[]])) : refsByRegistry(refs, images);
  for (const [registry, regRefs] of byRegistry) {
    if (missing.size) {
      const error = missing.get(registry) ?? `no tag written: ${[...missing.keys()].join(', ')} lacks the manifest`;
      log(`${registry}: ${error}`);
      results.push({ registry, refs: [], digest: missing.has(registry) ? '' : digest, pushed: false, error });
      continue;
    }
    if (mode === 'digest') {
      const here = images.filter((i) => i.registry === registry).map((i) => `${i.name}@${digest}`);
      for (const ref of here) pushes.push({ ref, digest, attempts: 1 });
      log(`Pushed ${here.join(', ')} by digest only (no tag).`);
      results.push({ registry, refs: here, digest, pushed: true });
      continue;
    }
    const done: string[] = [];
    let error: string | undefined;
    for (const ref of regRefs) {
      const image = images.find((i) => ref.startsWith(`${i.name}:`))!;
      const m = found.get(image)!;
      try {
        const answered = await client(registry).putManifest(image.repository, splitRef(ref).tag, m.mediaType, m.bytes);
        if (answered !== digest) throw new Error(`the registry answered digest ${answered}, not ${digest}`);
        done.push(ref);
        pushes.push({ ref, digest, attempts: 1 });
      } catch (e) {
        error = `tag ${ref}: ${errorMessage(e)}`;
        log(`${registry}: ${error}`);
        break;
      }
    }
    if (done.length) log(`Tagged ${done.join(', ')} -> ${digest}.`);
    results.push({ registry, refs: done, digest, pushed: !error && done.length > 0, error });
  }
  return { pushes, results, stats };
}
