import path from 'node:path';
import type { CacheState } from '../cache/caches.js';
import { buildCacheArgs, layerDirs, promoteExport } from '../cache/layers.js';
import { buildImage, type BuildResult } from '../image/build.js';
import { finishLocalNames, runLocalName, type OwnImage } from '../image/own.js';
import { buildSpec } from '../image/spec.js';
import type { Meta } from '../tags/index.js';
import type { Job } from './job.js';

/**
 * --cache-from/--cache-to for this build: the registry's cache image, or the restored directory; on a builder that
 * can only inline, the earlier images by tag. The registry and inline caches are written only with a push.
 */
function cacheArgs(job: Job, cache: CacheState, useBuildx: boolean, push: boolean, tags: readonly string[]): string[] {
  const { inputs, ctx } = job;
  const exporter = cache.layerExport;
  if (!inputs.cache || !useBuildx || !exporter) return [];
  const local = inputs.cacheMode === 'actions' && exporter === 'max';
  if (local && !cache.layers) return [];
  const write = cache.write && (local ? cache.layers?.hit !== 'exact' : push);
  return buildCacheArgs(exporter, inputs.cacheMode, { image: inputs.images[0]?.name, tags, dirs: local ? layerDirs(ctx.runnerTemp) : undefined }, write);
}

/**
 * Builds the image once under a name of this run's own (tags are shared by every job on the engine, so they come
 * last: at push, or here when nothing is pushed); a new layer-cache export replaces the old one.
 */
export async function imageStage(job: Job, meta: Meta, jar: string | undefined, cache: CacheState, useBuildx: boolean, push: boolean, dockerEnv: Record<string, string>): Promise<BuildResult & { own: OwnImage }> {
  const { io, inputs, ctx } = job;
  if (!useBuildx) io.warning('docker buildx is not available: falling back to `docker build`. Install the buildx plugin for BuildKit features and caching.');
  const at = job.reproducibleAt;
  const localName = runLocalName();
  const spec = buildSpec(
    inputs,
    {
      tags: [localName],
      labels: meta.labels,
      jar: job.wantsJar ? jar : undefined,
      cacheArgs: cacheArgs(job, cache, useBuildx, push, meta.tags),
      sourceDateEpoch: at ? Math.floor(at.getTime() / 1000) : undefined,
    },
    ctx.runnerTemp,
  );
  const result = await buildImage(spec, useBuildx, dockerEnv, path.relative(ctx.workspace, inputs.file), job.policy);
  if (cache.layers) cache.layers.exported = promoteExport(layerDirs(ctx.runnerTemp));
  const own: OwnImage = { localName, imageId: result.imageId, manifestDigest: result.manifestDigest };
  // with no image name there is nothing to tag: metadata-action's bare tag names would mean docker.io/library/<tag>
  if (!push) await finishLocalNames(own, inputs.images.length ? meta.tags : [], dockerEnv);
  return { ...result, own };
}
