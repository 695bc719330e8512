import path from 'node:path';
import type { CacheState } from '../../cache/caches.js';
import { buildCacheArgs, layerDirs, promoteExport } from '../../cache/layers.js';
import { buildImage, type BuildResult } from './build.js';
import { finishLocalNames, runLocalName, type OwnImage } from './own.js';
import { builderOutput } from './buildx.js';
import { buildSpec } from './spec.js';
import { StageError } from '../../errors.js';
import type { Meta } from '../../tags/index.js';
import { targetRefs, type Target } from '../../targets.js';
import type { Job } from '../../job.js';
import { cacheModeOf } from '../../stages/restore.js';
import { buildKitBaseArgs, type ResolvedBase } from '../base.js';
import { pinBase } from './pin-base.js';

/**
 * --cache-from/--cache-to for this build: the registry's cache image, or the restored directory; on a builder that
 * can only inline, the earlier images by tag. The registry and inline caches are written only with a push.
 */
function cacheArgs(job: Job, cache: CacheState, useBuildx: boolean, push: boolean, first: Target | undefined): string[] {
  const { inputs, ctx } = job;
  const exporter = cache.layerExport;
  if (!inputs.cache || !useBuildx || !exporter) return [];
  const mode = cacheModeOf(job);
  const local = mode === 'actions' && exporter === 'max';
  if (local && !cache.layers) return [];
  const write = cache.write && (local ? cache.layers?.hit !== 'exact' : push);
  return buildCacheArgs(exporter, mode, { image: first?.image.name, tags: first?.tags ?? [], dirs: local ? layerDirs(ctx.runnerTemp) : undefined }, write);
}

/** The build of this run: `tags` and, on a builder that pushes by itself, its --output. */
function specOf(job: Job, meta: Meta, first: Target | undefined, jar: string | undefined, cache: CacheState, useBuildx: boolean, push: boolean, tags: string[], base: ResolvedBase | undefined, output?: string) {
  const { inputs, ctx } = job;
  const at = job.reproducibleAt;
  return buildSpec(
    inputs,
    {
      tags,
      labels: meta.labels,
      jar: job.wantsJar ? jar : undefined,
      cacheArgs: cacheArgs(job, cache, useBuildx, push, first),
      sourceDateEpoch: at ? Math.floor(at.getTime() / 1000) : undefined,
      builder: inputs.buildxBuilder,
      output,
      baseArgs: base ? buildKitBaseArgs(base, inputs.platforms.length > 1) : undefined,
    },
    ctx.runnerTemp,
  );
}

/**
 * Builds the image once under a name of this run's own (tags are shared by every job on the engine, so they come
 * last: at push, or here when nothing is pushed); a new layer-cache export replaces the old one.
 */
export async function imageStage(job: Job, meta: Meta, targets: readonly Target[], jar: string | undefined, cache: CacheState, useBuildx: boolean, push: boolean, dockerEnv: Record<string, string>): Promise<BuildResult & { own: OwnImage; base?: ResolvedBase }> {
  const { io, inputs, ctx } = job;
  if (!useBuildx) io.warning('docker buildx is not available: falling back to `docker build`. Install the buildx plugin for BuildKit features and caching.');
  const localName = runLocalName();
  // plain `docker build` takes no --annotation: its base stays unrecorded
  const base = useBuildx ? await pinBase(job, job.policy) : undefined;
  const spec = specOf(job, meta, targets[0], jar, cache, useBuildx, push, [localName], base);
  const result = await buildImage(spec, useBuildx, dockerEnv, path.relative(ctx.workspace, inputs.file), job.policy);
  if (cache.layers) cache.layers.exported = promoteExport(layerDirs(ctx.runnerTemp));
  const own: OwnImage = { localName, imageId: result.imageId, manifestDigest: result.manifestDigest };
  // with no image name there are no targets, so nothing to tag: a bare tag name would mean docker.io/library/<tag>
  if (!push) await finishLocalNames(own, targetRefs(targets), dockerEnv);
  return { ...result, own, base };
}

/**
 * Builds on a builder that pushes by itself (not the docker driver): BuildKit sends the image to every image name by
 * digest only, with no tag and no round trip through the engine; the digest comes from the metadata file, and the
 * image ID is the config digest. The tags are written afterwards (see builder-push.ts).
 */
export async function builderPushStage(job: Job, meta: Meta, targets: readonly Target[], jar: string | undefined, cache: CacheState, dockerEnv: Record<string, string>): Promise<BuildResult & { manifestDigest: string; base?: ResolvedBase }> {
  const { inputs, ctx } = job;
  const base = await pinBase(job, job.policy);
  const spec = specOf(job, meta, targets[0], jar, cache, true, true, [], base, builderOutput(job.buildx, true, targets.map((t) => t.image), inputs.insecureRegistries));
  const result = await buildImage(spec, true, dockerEnv, path.relative(ctx.workspace, inputs.file), job.policy);
  if (cache.layers) cache.layers.exported = promoteExport(layerDirs(ctx.runnerTemp));
  const digest = result.manifestDigest;
  if (!digest) throw new StageError('image', `The builder "${inputs.buildxBuilder}" pushed the image but its metadata file names no digest (containerimage.digest); buildx 0.10 or later writes it.`);
  return { ...result, imageId: result.configDigest ?? result.imageId, manifestDigest: digest, base };
}
