import { utimesSync } from 'node:fs';
import path from 'node:path';
import { stageArtifact } from '../cache/artifact.js';
import { buildJava, type DependencyMode } from '../java/build.js';
import type { CacheState } from '../cache/caches.js';
import { movingDependencies } from '../cache/moving.js';
import { writeGradleInitScript } from '../java/reproducible.js';
import type { Job } from '../job.js';
import type { FastPath } from '../java/fast.js';
import type { HitKind } from '../cache/keys.js';
import type { ImageRecord } from '../cache/record.js';

/** The fast path in one line: what it adds, and whether this build runs offline and why (not). Pure. */
export function fastLine(fast: FastPath, offline: boolean, hit: HitKind | undefined): string {
  const said: Record<HitKind, string> = { exact: 'an exact hit', partial: 'a partial hit', miss: 'a miss', off: 'off', error: 'not restored' };
  const why = offline ? `offline (${fast.offline.join(' ')}): the dependency cache was an exact hit` : fast.offline.length ? `online: the dependency cache was ${hit ? said[hit] : 'not used'}` : 'online: java-args ask for it';
  return `Fast build (fast-build: true; java-args win): ${[...fast.notes, why].join('; ')}.`;
}

/** Offline on an exact hit; with -U when the restored store holds versions that move (a fresh runner would fetch them). */
async function dependencyMode(job: Job, cache: CacheState): Promise<DependencyMode> {
  const { io, javaPlan, inputs } = job;
  const hit = cache.dependencies?.hit;
  const moving = (hit === 'exact' || hit === 'partial') && javaPlan.project ? await movingDependencies(javaPlan.project.tool, job.dependencyStore, inputs.workingDirectory) : undefined;
  const offline = !moving && hit === 'exact' && (javaPlan.command?.offline.length ?? 0) > 0;
  if (javaPlan.fast) io.info(fastLine(javaPlan.fast, offline, hit));
  if (!moving) return offline ? 'offline' : 'plain';
  const refresh = javaPlan.command?.refresh ?? [];
  io.info(`The restored dependency cache is not the last word: ${moving}, which the remote repository may have moved on since. The build runs online${refresh.length ? ` with ${refresh.join(' ')}, checking for updates as a fresh runner would` : ''}.`);
  return 'refresh';
}

/** After a build: a jar whose dependencies move stands for no key, so neither the jar cache nor the image record keeps it. */
async function keepsItsKey(job: Job, cache: CacheState): Promise<boolean> {
  const tool = job.javaPlan.project?.tool;
  if (!tool || !(cache.artifact || cache.record) || !cache.write) return true;
  const moving = await movingDependencies(tool, job.dependencyStore, job.inputs.workingDirectory);
  if (!moving) return true;
  cache.unkept = moving;
  job.io.info(`No jar cache or image record is kept for this build: ${moving}, so the same work tree may build another jar.`);
  return false;
}

/** Builds the jar, or takes this commit's jar from the cache; returns its path, if there is one (none when the image record stands in). */
export async function javaStage(job: Job, cache: CacheState, reused: { reusedJar?: string; record?: ImageRecord }, persist: () => void): Promise<string | undefined> {
  const { io, ctx, inputs, javaPlan } = job;
  if (!javaPlan.command && !inputs.artifact) {
    if (inputs.javaTool === 'auto') io.notice('No Maven or Gradle project in working-directory: skipping the Java build.');
    return undefined;
  }
  if (reused.record) {
    io.info(`The image record of this very build (the same source tree, environment, command, JDK, build tool and Dockerfile) came from the cache, and the registries hold its layers: the ${javaPlan.project?.tool} build is skipped, and no jar is made (the \`artifact\` output stays empty).`);
    return undefined;
  }
  const reusedJar = reused.reusedJar;
  if (javaPlan.project?.chosen) io.info(javaPlan.project.chosen);
  let found = reusedJar;
  if (found) {
    io.info(`This commit's jar, built by the same command, came from the cache (the build is reproducible): the ${javaPlan.project?.tool} build is skipped.`);
  } else {
    if (job.reproducibleAt && javaPlan.project?.tool === 'gradle') writeGradleInitScript(job.gradleInitScript);
    found = await buildJava(inputs, javaPlan, ctx.workspace, job.wall, io, await dependencyMode(job, cache));
    if (found && (await keepsItsKey(job, cache)) && cache.artifact && cache.write) {
      stageArtifact(found, inputs.workingDirectory, cache.artifact.path);
      cache.artifact.staged = true;
    }
    persist();
  }
  // COPY keeps mtimes: with the commit time, the same commit gives the same layer
  if (found && job.reproducibleAt) utimesSync(found, job.reproducibleAt, job.reproducibleAt);
  if (found) io.info(`Artifact: ${path.relative(ctx.workspace, found)}`);
  return found;
}
