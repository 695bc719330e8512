import { errorMessage } from '../../errors.js';
import { pushedTargets, type RegistryResult } from './publish.js';
import type { PushResult } from './push.js';
import { manifestStats } from './stats.js';
import { isAttestation } from '../../oci/media.js';
import type { RegistryClient } from '../../registry/client.js';
import type { ImageName } from '../../oci/name.js';
import { digestRef, tagRef, targetsByRegistry, type Target } from '../../targets.js';
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
  targets: readonly Target[],
  digest: string,
  mode: PublishMode,
  log: (m: string) => void,
): Promise<Published> {
  const found = new Map<ImageName, Found>();
  const missing = new Map<string, string>();
  for (const { image } of targets) {
    try {
      const m = await client(image.registry).getManifest(image.repository, digest);
      found.set(image, { image, mediaType: m.mediaType, bytes: m.bytes });
    } catch (e) {
      if (!missing.has(image.registry)) missing.set(image.registry, `${digestRef(image, digest)}: ${errorMessage(e)}`);
    }
  }
  const first = [...found.values()][0];
  const stats = first ? await statsOf(client(first.image.registry), first).catch(() => undefined) : undefined;
  const pushes: PushResult[] = [];
  const results: RegistryResult[] = [];
  for (const [registry, here] of targetsByRegistry(targets)) {
    if (missing.size) {
      const error = missing.get(registry) ?? `no tag written: ${[...missing.keys()].join(', ')} lacks the manifest`;
      log(`${registry}: ${error}`);
      results.push({ registry, refs: [], digest: missing.has(registry) ? '' : digest, pushed: false, error, targets: [] });
      continue;
    }
    if (mode === 'digest') {
      const done = here.map((t) => ({ ref: digestRef(t.image, digest), image: t.image, digest, attempts: 1 }));
      pushes.push(...done);
      log(`Pushed ${done.map((d) => d.ref).join(', ')} by digest only (no tag).`);
      results.push({ registry, refs: done.map((d) => d.ref), digest, pushed: true, targets: pushedTargets(here, done) });
      continue;
    }
    const done: PushResult[] = [];
    let error: string | undefined;
    for (const t of here) {
      if (error) break;
      const m = found.get(t.image)!;
      for (const tag of t.tags) {
        const ref = tagRef(t.image, tag);
        try {
          const answered = await client(registry).putManifest(t.image.repository, tag, m.mediaType, m.bytes);
          if (answered !== digest) throw new Error(`the registry answered digest ${answered}, not ${digest}`);
          done.push({ ref, image: t.image, tag, digest, attempts: 1 });
        } catch (e) {
          error = `tag ${ref}: ${errorMessage(e)}`;
          log(`${registry}: ${error}`);
          break;
        }
      }
    }
    pushes.push(...done);
    if (done.length) log(`Tagged ${done.map((d) => d.ref).join(', ')} -> ${digest}.`);
    results.push({ registry, refs: done.map((d) => d.ref), digest, pushed: !error && done.length > 0, error, targets: pushedTargets(here, done) });
  }
  return { pushes, results, stats };
}
