/**
 * Rebase, the writing: on every image, the new base's layers mounted (or copied from another registry), the same
 * application layers found in place, the configs, the manifests and the index by digest; then every tag, last.
 */
import type { Published } from '../builders/builder.js';
import type { RegistryResult } from '../builders/buildkit/publish.js';
import type { PushResult } from '../builders/buildkit/push.js';
import type { AssembledImage } from '../builders/native/assemble.js';
import { pushImage } from '../builders/native/push.js';
import { errorMessage, StageError } from '../errors.js';
import { flavorOf } from '../oci/manifest.js';
import type { RegistryClient } from '../registry/client.js';
import type { RebasePlan } from './plan.js';
import { tagRef, type Target } from '../targets.js';


type Rebased = Extract<RebasePlan, { kind: 'rebase' }>;

/** The plan in the shape the native builder pushes: app layers carry no bytes, so a missing one is an error, never an upload. Pure. */
export function assembled(plan: Rebased): AssembledImage {
  const layers = new Map(plan.platforms.flatMap((p) => p.appLayers.map((l) => [l.digest, { digest: l.digest, size: l.size }] as const)));
  return {
    flavor: flavorOf(plan.top.mediaType),
    layers: [...layers.values()],
    platforms: plan.platforms.map((p) => ({
      config: { digest: p.config.digest, size: p.config.bytes.length, data: p.config.bytes },
      manifest: p.manifest,
      baseLayers: p.baseLayers,
    })),
    index: plan.index,
  };
}

/** Every application layer is already in every target repository: checked before any write. */
export async function checkAppLayers(plan: Rebased, targets: readonly Target[], client: (registry: string) => RegistryClient): Promise<void> {
  const missing: string[] = [];
  for (const t of targets) {
    for (const l of assembled(plan).layers) if (!(await client(t.image.registry).hasBlob(t.image.repository, l.digest))) missing.push(`${l.digest} is not in ${t.image.name}`);
  }
  if (missing.length) throw new StageError('rebase', `The release's application layers must already be where the rebased image goes, and are not:\n- ${missing.join('\n- ')}\nPush the release to every image in \`images\` first (or rebuild). Nothing was pushed.`);
}

export interface BaseRepo {
  registry: string;
  repository: string;
}

/** Writes the rebased image to every target by digest, then the tags on every target; a failed tag is in `results`. */
export async function pushRebased(plan: Rebased, targets: readonly Target[], base: BaseRepo, client: (registry: string) => RegistryClient, tempDir: string, log: (m: string) => void): Promise<Published> {
  const image = assembled(plan);
  const before = new Map<string, number>();
  for (const t of targets) {
    const c = client(t.image.registry);
    before.set(t.image.name, c.stats.bytesUploaded);
    try {
      await pushImage(c, t.image.repository, image, [], { client: client(base.registry), repository: base.repository, sameRegistry: t.image.registry === base.registry, tempDir });
      log(`${t.image.name}@${plan.top.digest}: pushed by digest.`);
    } catch (e) {
      throw new StageError('rebase', `Pushing the rebased image ${plan.top.digest} to ${t.image.name} failed: ${errorMessage(e)}. No tag was moved on any registry.`);
    }
  }
  const pushes: PushResult[] = [];
  const results: RegistryResult[] = [];
  for (const t of targets) {
    const c = client(t.image.registry);
    const written: string[] = [];
    const result = (): Pick<RegistryResult, 'registry' | 'refs' | 'targets'> => ({ registry: t.image.registry, refs: written.map((tag) => tagRef(t.image, tag)), targets: [{ image: t.image, tags: [...written] }] });
    try {
      for (const tag of t.tags) {
        const got = await c.putManifest(t.image.repository, tag, plan.top.mediaType, plan.top.bytes);
        if (got !== plan.top.digest) throw new Error(`${tagRef(t.image, tag)} reports ${got}, not ${plan.top.digest}`);
        written.push(tag);
        pushes.push({ ref: tagRef(t.image, tag), image: t.image, tag, digest: plan.top.digest, attempts: 1 });
      }
      log(`${t.image.name}: ${t.tags.join(', ')} → ${plan.top.digest}`);
      results.push({ ...result(), digest: plan.top.digest, pushed: true, uploadedBytes: c.stats.bytesUploaded - (before.get(t.image.name) ?? 0) });
    } catch (e) {
      log(`${t.image.registry}: ${errorMessage(e)}`);
      results.push({ ...result(), digest: written.length ? plan.top.digest : '', pushed: false, error: errorMessage(e) });
    }
  }
  return { pushes, results };
}
