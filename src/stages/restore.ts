import path from 'node:path';
import type { ArtifactInputs } from '../cache/artifact.js';
import { cacheAvailable, restoreArtifact, restoreDependencies, restoreLayerDigests, restoreLayers, type CacheState } from '../cache/caches.js';
import { mayWriteCache } from '../cache/keys.js';
import { builderLayerExport, effectiveCacheMode, type CacheMode, type LayerExport } from '../cache/layers.js';
import { pushesFromBuilder } from '../builders/buildkit/buildx.js';
import { hashWorkTree, namesInWorkTree } from '../cache/worktree.js';
import { environmentDigest, namesToLookFor } from '../cache/build-env.js';
import { childEnvWith } from '../exec.js';
import { errorMessage } from '../errors.js';
import type { JavaCommand } from '../java/command.js';
import { copiesOnlyTheJar } from '../dockerfile/facts.js';
import { hasRunSteps } from '../dockerfile/model.js';
import { toolchain } from '../java/toolchain.js';
import type { Job } from '../job.js';
import type { ImageRecord } from '../cache/record.js';
import type { Target } from '../targets.js';
import { recordServes, restoreRecord } from './record.js';

/**
 * The layer cache this build keeps, said in one line: in the Actions cache a layer cache pays only for RUN steps;
 * the builder decides between every layer (mode=max) and inline metadata in the pushed image.
 */
async function layerCache(job: Job, useBuildx: boolean, dockerEnv: Record<string, string>): Promise<LayerExport | undefined> {
  if (!useBuildx) return undefined;
  const mode = cacheModeOf(job);
  if (mode === 'actions' && !hasRunSteps(job.dockerfile)) {
    job.io.info('The Dockerfile has no RUN step, so there is no layer cache: it would hold only base layers and COPY results, which cost more to save and restore than to redo.');
    return undefined;
  }
  const pick = await builderLayerExport(dockerEnv, job.inputs.buildxBuilder);
  if (!pick.export) job.io.warning(`The layer cache is skipped: ${pick.why}.`);
  else if (pick.export === 'inline') job.io.info(`Layer cache: inline in the pushed image (type=inline), because ${pick.why}.`);
  else job.io.info(`Layer cache: every layer (mode=max) in ${mode === 'registry' ? 'the registry (<image>:buildcache)' : 'the Actions cache'}, because ${pick.why}.`);
  return pick.export;
}

/** cache-mode for this run's builder (auto: the registry on a builder that pushes by itself). */
export function cacheModeOf(job: Pick<Job, 'inputs' | 'buildx'>): CacheMode {
  return effectiveCacheMode(job.inputs.cacheMode, pushesFromBuilder(job.buildx), job.inputs.images.length > 0);
}

/** The environment the build sees, as a key part: the left-out runner facts only where the work tree names them. */
async function environmentOf(command: JavaCommand, top: string): Promise<string | { why: string }> {
  const seen = childEnvWith(command.env);
  try {
    return environmentDigest(seen, await namesInWorkTree(top, namesToLookFor(seen)));
  } catch (e) {
    return { why: `the work tree could not be searched for the variables it names (${errorMessage(e)})` };
  }
}

/** The jar cache key's parts: the work tree's content, the environment and command, the JDK and the build tool (never GITHUB_SHA). */
async function whatIsBuilt(job: Job): Promise<ArtifactInputs | { why: string }> {
  const { inputs, javaPlan, ctx, env } = job;
  const { project, command } = javaPlan;
  if (!project || !command) return { why: 'there is no build command' };
  const [tree, tools] = await Promise.all([hashWorkTree(inputs.workingDirectory), toolchain(project, command, inputs.workingDirectory, env, job.wall)]);
  if ('why' in tree) return tree;
  if ('why' in tools) return tools;
  const environment = await environmentOf(command, tree.top);
  if (typeof environment !== 'string') return environment;
  return { tree: tree.digest, environment, command: [command.file, ...command.args], workingDirectory: path.relative(ctx.workspace, inputs.workingDirectory), ...tools };
}

/** What restore found to stand in for the build: the jar of this source tree, or the native builder's image record. */
export interface Reused {
  cache: CacheState;
  reusedJar?: string;
  record?: ImageRecord;
}

/**
 * Restores what this run can reuse: the image record or the jar of this very source tree (then the build tool is
 * skipped and its dependencies are not needed), else the dependency cache; and the layer cache (BuildKit's, or the
 * native builder's layer digests). `targets`: where the run pushes, when it does.
 */
export async function restoreCaches(job: Job, useBuildx: boolean, dockerEnv: Record<string, string>, native = false, targets?: readonly Target[]): Promise<Reused> {
  const { io, ctx, inputs, javaPlan } = job;
  const cache: CacheState = { write: mayWriteCache(inputs.cacheWrite, ctx.eventName, job.untrusted !== undefined) };
  if (!inputs.cache || job.untrusted) {
    io.info(job.untrusted ? `No cache is read or written: ${job.untrusted}.` : 'cache is false: building without caches.');
    return { cache };
  }
  cache.layerExport = await layerCache(job, useBuildx, dockerEnv);
  const wantLayers = cacheModeOf(job) === 'actions' && cache.layerExport === 'max';
  if (!cacheAvailable(io)) return { cache };
  let reusedJar: string | undefined;
  const command = javaPlan.command;
  // a cached jar can stand in for the build only when the jar is all the image takes from it
  if (job.reproducibleAt && command && !inputs.artifact && job.wantsJar && copiesOnlyTheJar(job.dockerfile)) {
    const what = await whatIsBuilt(job);
    if ('why' in what) {
      io.notice(`No jar cache for this run: ${what.why}. The jar is built.`);
    } else if (recordServes(job, native, targets)) {
      // the record stands in for the jar cache: the native builder needs only the layers the jar became
      const restored = await restoreRecord(job, what, targets!);
      cache.record = restored.state;
      if (restored.record) return { cache, record: restored.record };
    } else {
      const restored = await restoreArtifact(what, inputs.workingDirectory, ctx.runnerTemp, io);
      cache.artifact = restored.state;
      reusedJar = restored.jar;
    }
  }
  const project = javaPlan.project;
  [cache.dependencies, cache.layers, cache.nativeLayers] = await Promise.all([
    project && !reusedJar ? restoreDependencies(project.tool, job.dependencyStore, command?.cwd ?? inputs.workingDirectory, io) : undefined,
    wantLayers ? restoreLayers(inputs.images.map((i) => i.name), path.relative(ctx.workspace, inputs.file), ctx.sha, ctx.runnerTemp, io) : undefined,
    native ? restoreLayerDigests(ctx.runnerTemp, io) : undefined,
  ]);
  return { cache, reusedJar };
}
