import { readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { stageArtifact } from './cache/artifact.js';
import { cacheAvailable, restoreArtifact, restoreDependencies, restoreLayers, type CacheState } from './cache/caches.js';
import { mayWriteCache } from './cache/keys.js';
import { builderCanExport, layerCacheArgs, layerDirs, promoteExport, registryCacheRef } from './cache/layers.js';
import { runnerContext, type RunnerContext } from './context.js';
import { errorMessage, InputError, StageError } from './errors.js';
import { commitDate, forkPullRequest, pullRequest } from './github.js';
import { localStats, pushedStats } from './image/stats.js';
import { previewBody, upsertComment } from './pr/comment.js';
import { newRecord, summaryMarkdown, type RunRecord } from './report/summary.js';
import { shortHash } from './cache/keys.js';
import { buildImage, hasBuildx } from './image/build.js';
import { copiesOnlyTheJar, declaredArgs, hasRunSteps } from './image/dockerfile.js';
import { publish } from './image/publish.js';
import { buildSpec } from './image/spec.js';
import { checkPaths, parseInputs, pathsExist, type Inputs } from './inputs.js';
import type { ActionIO } from './io.js';
import { buildJava, planJava } from './java/build.js';
import { gradleInitScriptPath, writeGradleInitScript } from './java/reproducible.js';
import { resolveMetadata } from './metadata.js';
import { metadataJson } from './outputs.js';
import { planText } from './plan.js';
import { secretLookingArgs } from './registry/auth.js';
import { userDockerConfigDir } from './registry/config.js';
import { defaultPolicy } from './registry/policy.js';
import { openSession } from './registry/session.js';
import { saveState, type PostState } from './state.js';
import { parseFlavor, parseTagRules, type Meta } from './tags/index.js';

type Timings = Record<string, number>;

function stageRunner(io: ActionIO, timings: Timings, failure: { stage?: string }) {
  return async <T>(key: string, title: string, fn: () => Promise<T>): Promise<T> =>
    io.group(title, async () => {
      const t0 = Date.now();
      try {
        return await fn();
      } catch (e) {
        failure.stage ??= key;
        if (e instanceof StageError) for (const a of e.annotations) io.annotate(a);
        throw e;
      } finally {
        timings[key] = Date.now() - t0;
        io.info(`${title}: ${(timings[key] / 1000).toFixed(1)} s`);
      }
    });
}

function setMetaOutputs(io: ActionIO, meta: Meta): void {
  io.setOutput('version', meta.outputs.version);
  io.setOutput('tags', meta.outputs.tags);
  io.setOutput('tag-names', meta.outputs.tagNames);
  io.setOutput('labels', meta.outputs.labels);
  io.setOutput('annotations', meta.outputs.annotations);
  io.setOutput('json', meta.outputs.json);
}

function readInputs(io: ActionIO, ctx: RunnerContext, fork: boolean): Inputs {
  // mask first: a parse error below may quote an input
  for (const name of ['password', 'github-token']) if (io.getInput(name).trim()) io.setSecret(io.getInput(name).trim());
  const inputs = parseInputs((n) => io.getInput(n), ctx.workspace, { actor: ctx.actor, fork });
  for (const l of inputs.logins) io.setSecret(l.password);
  for (const s of inputs.secrets) if (s.value) io.setSecret(s.value);
  try {
    checkPaths(inputs, ctx.workspace);
  } catch (e) {
    // a dry run shows tags and labels wherever it runs; what a real run would refuse is a warning
    if (!inputs.dryRun) throw e;
    io.warning(`${errorMessage(e)} (a real run would stop here)`);
  }
  parseTagRules(inputs.tags);
  parseFlavor(inputs.flavor);
  for (const img of inputs.images) if (img.lowered) io.warning(`Input 'images': "${img.name}" was lowercased; registries only accept lowercase repository names.`);
  for (const name of secretLookingArgs(inputs.buildArgs)) {
    io.warning(`Input 'build-args': ${name} looks like a secret, and build args stay readable in the image history; pass it in \`secrets\` and mount it with RUN --mount=type=secret,id=${name}.`);
  }
  return inputs;
}

/** The whole main step, stage by stage, then the job summary, also when a stage failed. Throws; the entry point reports. */
export async function runMain(io: ActionIO, env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): Promise<void> {
  const record = newRecord();
  const failure: { stage?: string } = {};
  try {
    await pipeline(io, env, now, record, stageRunner(io, record.timings, failure));
  } catch (e) {
    record.failure = { stage: failure.stage ?? 'inputs', message: errorMessage(e), tail: e instanceof StageError ? e.tail : [] };
    throw e;
  } finally {
    await io.writeSummary(summaryMarkdown(record)).catch((e: unknown) => io.warning(`The job summary could not be written: ${errorMessage(e)}`));
  }
}

type Stage = ReturnType<typeof stageRunner>;

/** A layer cache pays only for RUN steps, and only a builder that can export one can have it. */
async function layerCacheWorthIt(dockerfile: string, dockerEnv: Record<string, string>, io: ActionIO): Promise<boolean> {
  if (!hasRunSteps(dockerfile)) {
    io.info('The Dockerfile has no RUN step, so there is no layer cache: it would hold only base layers and COPY results, which cost more to save and restore than to redo.');
    return false;
  }
  const exportable = await builderCanExport(dockerEnv);
  if (!exportable.ok) io.warning(`The layer cache is skipped: ${exportable.why}.`);
  return exportable.ok;
}

async function pipeline(io: ActionIO, env: NodeJS.ProcessEnv, now: Date, record: RunRecord, stage: Stage): Promise<void> {
  const ctx = runnerContext(env);

  const fork = forkPullRequest(ctx.eventName, ctx.payload);
  const inputs = await stage('inputs', 'Read inputs', async () => readInputs(io, ctx, fork !== undefined));
  const committed = await commitDate(ctx, env);
  const reproducible = inputs.reproducible && committed !== undefined;
  const gradleInitScript = gradleInitScriptPath(ctx.runnerTemp);
  const paths = pathsExist(inputs);
  const javaPlan = paths.workingDirectory ? planJava(inputs, env, reproducible && committed ? { commitDate: committed, gradleInitScript } : undefined) : {};
  const dockerfile = paths.file ? readFileSync(inputs.file, 'utf8') : '';
  const wantsJar = declaredArgs(dockerfile).includes('JAR_FILE') && !inputs.buildArgs.some(([k]) => k === 'JAR_FILE');

  const meta = await stage('metadata', 'Compute tags and labels', async () => {
    const m = await resolveMetadata(inputs, ctx, env, { info: (msg) => io.info(msg), warning: (msg) => io.warning(msg) }, { now, commitDate: committed });
    for (const w of m.warnings) io.warning(w);
    io.info(`Tags:\n${m.tags.join('\n') || '(none)'}\nLabels:\n${m.labels.join('\n')}`);
    return m;
  });
  setMetaOutputs(io, meta);
  io.setOutput('pushed', 'false');
  record.tags = meta.tags;

  if (inputs.dryRun) {
    await stage('plan', 'Dry run: the plan', async () => io.info(planText(inputs, javaPlan, meta, wantsJar, ctx.runnerTemp)));
    return;
  }

  const post: PostState = { registries: [] };
  const persist = (): void => saveState(io.state, post);
  const policy = defaultPolicy(inputs.retries, (attempt, reason, wait) => io.warning(`Retry ${attempt} in ${(wait / 1000).toFixed(1)} s: ${reason}`));
  const pr = pullRequest(ctx.eventName, ctx.payload);
  const push = inputs.push && !fork && !pr?.closed;
  if (fork) io.notice(`This pull request comes from ${fork}, and GitHub gives such runs no secrets: the image is built but not pushed.`);
  if (pr?.closed && inputs.push) io.notice(`Pull request #${pr.number} is closed: nothing is pushed.`);
  record.reasonNotPushed = !inputs.push ? 'push is false' : fork ? 'pull request from a fork' : pr?.closed ? 'pull request closed' : undefined;
  let dockerEnv: Record<string, string> = {};
  if (inputs.logins.length || inputs.insecureRegistries.length) {
    dockerEnv = await stage('login', 'Log in to the registries', async () =>
      openSession(inputs.logins, inputs.insecureRegistries, ctx.runnerTemp, userDockerConfigDir(env), post, persist, policy, io),
    );
  }

  const useBuildx = await hasBuildx(dockerEnv);
  const cache: CacheState = { write: mayWriteCache(inputs.cacheWrite, ctx.eventName) };
  let reusedJar: string | undefined;
  await stage('restore', 'Restore caches', async () => {
    if (!inputs.cache) return io.info('cache is false: building without caches.');
    const wantLayers = inputs.cacheMode === 'actions' && useBuildx && (await layerCacheWorthIt(dockerfile, dockerEnv, io));
    if (!cacheAvailable(io)) return;
    const command = javaPlan.command;
    // a cached jar can stand in for the build only when the jar is all the image takes from it
    if (reproducible && command && !inputs.artifact && wantsJar && copiesOnlyTheJar(dockerfile)) {
      const wd = { dir: inputs.workingDirectory, fromWorkspace: path.relative(ctx.workspace, inputs.workingDirectory) };
      const restored = await restoreArtifact(ctx.sha, [command.file, ...command.args], wd, ctx.runnerTemp, io);
      cache.artifact = restored.state;
      reusedJar = restored.jar;
    }
    const project = javaPlan.project;
    [cache.dependencies, cache.layers] = await Promise.all([
      project && !reusedJar ? restoreDependencies(project.tool, inputs.workingDirectory, inputs.javaArgs, env, io) : undefined,
      wantLayers ? restoreLayers(inputs.images.map((i) => i.name), path.relative(ctx.workspace, inputs.file), ctx.sha, ctx.runnerTemp, io) : undefined,
    ]);
  });
  post.cache = cache;
  persist();

  if (inputs.reproducible && !committed) io.warning('The commit time is unknown, so the build is not made reproducible.');
  const jar = await stage('java', 'Java build', async () => {
    if (!javaPlan.command && !inputs.artifact) {
      if (inputs.javaTool === 'auto') io.notice('No Maven or Gradle project in working-directory: skipping the Java build.');
      return undefined;
    }
    let found = reusedJar;
    if (found) {
      io.info(`This commit's jar, built by the same command, came from the cache (the build is reproducible): the ${javaPlan.project?.tool} build is skipped.`);
    } else {
      if (reproducible && javaPlan.project?.tool === 'gradle') writeGradleInitScript(gradleInitScript);
      found = await buildJava(inputs, javaPlan, ctx.workspace);
      if (found && cache.artifact && cache.write) {
        stageArtifact(found, inputs.workingDirectory, cache.artifact.path);
        cache.artifact.staged = true;
        persist();
      }
    }
    if (found && reproducible && committed) utimesSync(found, committed, committed); // COPY keeps mtimes: same commit, same layer
    if (found) io.info(`Artifact: ${path.relative(ctx.workspace, found)}`);
    return found;
  });
  if (jar) io.setOutput('artifact', path.relative(ctx.workspace, jar));
  if (wantsJar && !jar) {
    throw new InputError('java-tool', 'the Dockerfile declares ARG JAR_FILE but no jar was built; set `java-tool`/`working-directory` to your Java project, or `artifact` to a prebuilt jar.');
  }

  const built = await stage('image', 'Build the image', async () => {
    if (!useBuildx) io.warning('docker buildx is not available: falling back to `docker build`. Install the buildx plugin for BuildKit features and caching.');
    const dirs = layerDirs(ctx.runnerTemp);
    const cacheArgs =
      inputs.cache && useBuildx
        ? inputs.cacheMode === 'registry'
          ? layerCacheArgs('registry', { ref: registryCacheRef(inputs.images[0].name) }, cache.write && push)
          : cache.layers
            ? layerCacheArgs('actions', { dirs }, cache.write && cache.layers.hit !== 'exact')
            : []
        : [];
    // with no image name there is nothing to tag: metadata-action's bare tag names would mean docker.io/library/<tag>
    const spec = buildSpec(
      inputs,
      { tags: inputs.images.length ? meta.tags : [], labels: meta.labels, jar: wantsJar ? jar : undefined, cacheArgs, sourceDateEpoch: reproducible && committed ? Math.floor(committed.getTime() / 1000) : undefined },
      ctx.runnerTemp,
    );
    const result = await buildImage(spec, useBuildx, dockerEnv, path.relative(ctx.workspace, inputs.file));
    if (cache.layers) cache.layers.exported = promoteExport(dirs);
    return result;
  });
  io.setOutput('image-id', built.imageId);

  const { pushes, results } = push
    ? await stage('push', 'Push', async () => publish(meta.tags, inputs.images, dockerEnv, policy, (m) => io.info(m)))
    : { pushes: [], results: [] };
  if (!push) io.info('Nothing is pushed: the image was built and loaded into the local engine only.');
  const cacheHit = { dependencies: cache.dependencies?.hit ?? 'off', layers: cache.layers?.hit ?? 'off', jar: cache.artifact?.hit ?? 'off' } as const;
  Object.assign(record, { results, cacheHit, reproducible, pushed: pushes.length > 0, digest: pushes[0]?.digest });
  record.stats = pushes[0] ? await pushedStats(`${pushes[0].ref}@${pushes[0].digest}`, dockerEnv) : await localStats(built.imageId, dockerEnv);
  if (inputs.prComment && pr && !fork) {
    await stage('comment', 'Pull request comment', async () => {
      const first = pushes[0];
      const body = previewBody(
        { number: pr.number, reference: first ? `${first.ref.replace(/:[^:/]+$/, '')}@${first.digest}` : undefined, tags: meta.tagNames, commit: pr.headSha ?? ctx.sha, stale: pr.closed },
        shortHash(inputs.images.map((i) => i.name)),
      );
      await upsertComment({ apiUrl: ctx.apiUrl, token: inputs.githubToken, repository: ctx.repository, number: pr.number }, body, shortHash(inputs.images.map((i) => i.name)), !pr.closed && first !== undefined, io);
    });
  }
  io.setOutput('digest', pushes[0]?.digest ?? '');
  io.setOutput('pushed', String(pushes.length > 0));
  io.setOutput('cache-hit', JSON.stringify(cacheHit));
  io.setOutput('metadata', metadataJson({ meta, results, pushes, imageId: built.imageId, builder: built.builder, artifact: jar ? path.relative(ctx.workspace, jar) : undefined, cacheHit, reproducible, timings: record.timings }));
  const digests = new Set(pushes.map((p) => p.digest));
  if (digests.size > 1) io.warning(`The pushed tags resolve to different digests: ${[...digests].join(', ')}.`);
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    throw new StageError('push', `Push failed for ${failed.map((f) => `${f.registry} (${f.error})`).join('; ')}. ${results.filter((r) => r.pushed).map((r) => r.registry).join(', ') || 'No registry'} got the image.`);
  }
  post.succeeded = true;
  persist();
}
