import { utimesSync } from 'node:fs';
import path from 'node:path';
import { stageArtifact } from '../cache/artifact.js';
import type { CacheState } from '../cache/caches.js';
import { buildJava } from '../java/build.js';
import { writeGradleInitScript } from '../java/reproducible.js';
import type { Job } from '../job.js';

/** Builds the jar, or takes this commit's jar from the cache; returns its path, if there is one. */
export async function javaStage(job: Job, cache: CacheState, reusedJar: string | undefined, persist: () => void): Promise<string | undefined> {
  const { io, ctx, inputs, javaPlan } = job;
  if (!javaPlan.command && !inputs.artifact) {
    if (inputs.javaTool === 'auto') io.notice('No Maven or Gradle project in working-directory: skipping the Java build.');
    return undefined;
  }
  let found = reusedJar;
  if (found) {
    io.info(`This commit's jar, built by the same command, came from the cache (the build is reproducible): the ${javaPlan.project?.tool} build is skipped.`);
  } else {
    if (job.reproducibleAt && javaPlan.project?.tool === 'gradle') writeGradleInitScript(job.gradleInitScript);
    found = await buildJava(inputs, javaPlan, ctx.workspace, job.wall, (m) => io.warning(m));
    if (found && cache.artifact && cache.write) {
      stageArtifact(found, inputs.workingDirectory, cache.artifact.path);
      cache.artifact.staged = true;
      persist();
    }
  }
  // COPY keeps mtimes: with the commit time, the same commit gives the same layer
  if (found && job.reproducibleAt) utimesSync(found, job.reproducibleAt, job.reproducibleAt);
  if (found) io.info(`Artifact: ${path.relative(ctx.workspace, found)}`);
  return found;
}
