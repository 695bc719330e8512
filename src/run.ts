import { readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { cacheAvailable, restoreDependencies, restoreLayers, type CacheState } from './cache/caches.js';
import { mayWriteCache } from './cache/keys.js';
import { builderCanExport, layerCacheArgs, layerDirs, promoteExport, registryCacheRef } from './cache/layers.js';
import { runnerContext, type RunnerContext } from './context.js';
import { InputError } from './errors.js';
import { commitDate } from './github.js';
import { buildImage, hasBuildx } from './image/build.js';
import { declaredArgs } from './image/dockerfile.js';
import { pushTag, type PushResult } from './image/push.js';
import { buildSpec } from './image/spec.js';
import { checkPaths, parseInputs, type Inputs } from './inputs.js';
import type { ActionIO } from './io.js';
import { buildJava, planJava } from './java/build.js';
import { gradleInitScriptPath, writeGradleInitScript } from './java/reproducible.js';
import { resolveMetadata } from './metadata.js';
import { metadataJson } from './outputs.js';
import { planText } from './plan.js';
import { createDockerConfig, userDockerConfigDir } from './registry/config.js';
import { login } from './registry/login.js';
import { canonicalRegistry } from './registry/name.js';
import { defaultPolicy } from './registry/policy.js';
import { saveState, type PostState } from './state.js';
import { parseFlavor, parseTagRules, type Meta } from './tags/index.js';

type Timings = Record<string, number>;

function stageRunner(io: ActionIO, timings: Timings) {
  return async <T>(key: string, title: string, fn: () => Promise<T>): Promise<T> =>
    io.group(title, async () => {
      const t0 = Date.now();
      try {
        return await fn();
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

function readInputs(io: ActionIO, ctx: RunnerContext): Inputs {
  const inputs = parseInputs((n) => io.getInput(n), ctx.workspace);
  if (inputs.password) io.setSecret(inputs.password);
  if (inputs.githubToken) io.setSecret(inputs.githubToken);
  for (const s of inputs.secrets) if (s.value) io.setSecret(s.value);
  checkPaths(inputs, ctx.workspace);
  parseTagRules(inputs.tags);
  parseFlavor(inputs.flavor);
  for (const img of inputs.images) if (img.lowered) io.warning(`Input 'images': "${img.name}" was lowercased; registries only accept lowercase repository names.`);
  return inputs;
}

/** The whole main step, stage by stage. Throws; the entry point reports. */
export async function runMain(io: ActionIO, env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): Promise<void> {
  const ctx = runnerContext(env);
  const timings: Timings = {};
  const stage = stageRunner(io, timings);

  const inputs = await stage('inputs', 'Read inputs', async () => readInputs(io, ctx));
  const committed = await commitDate(ctx, env);
  const reproducible = inputs.reproducible && committed !== undefined;
  const gradleInitScript = gradleInitScriptPath(ctx.runnerTemp);
  const javaPlan = planJava(inputs, reproducible && committed ? { commitDate: committed, gradleInitScript } : undefined);
  const dockerfile = readFileSync(inputs.file, 'utf8');
  const wantsJar = declaredArgs(dockerfile).includes('JAR_FILE') && !inputs.buildArgs.some(([k]) => k === 'JAR_FILE');

  const meta = await stage('metadata', 'Compute tags and labels', async () => {
    const m = await resolveMetadata(inputs, ctx, env, { info: (msg) => io.info(msg), warning: (msg) => io.warning(msg) }, { now, commitDate: committed });
    for (const w of m.warnings) io.warning(w);
    io.info(`Tags:\n${m.tags.join('\n') || '(none)'}\nLabels:\n${m.labels.join('\n')}`);
    return m;
  });
  setMetaOutputs(io, meta);
  io.setOutput('pushed', 'false');

  if (inputs.dryRun) {
    await stage('plan', 'Dry run: the plan', async () => io.info(planText(inputs, javaPlan, meta, wantsJar, ctx.runnerTemp)));
    return;
  }

  const post: PostState = { registries: [] };
  const dockerEnv: Record<string, string> = {};
  const policy = defaultPolicy((attempt, reason, wait) => io.warning(`Retry ${attempt} in ${(wait / 1000).toFixed(1)} s: ${reason}`));
  if (inputs.username) {
    await stage('login', 'Log in to the registry', async () => {
      const registry = canonicalRegistry(inputs.registry);
      post.dockerConfig = createDockerConfig(ctx.runnerTemp, userDockerConfigDir(env));
      dockerEnv.DOCKER_CONFIG = post.dockerConfig;
      saveState(io.state, post);
      await login({ registry, username: inputs.username, password: inputs.password }, dockerEnv, policy);
      post.registries.push(registry);
      saveState(io.state, post);
      io.info(`Logged in to ${registry} as ${inputs.username}.`);
    });
  }

  const useBuildx = await hasBuildx(dockerEnv);
  const cache: CacheState = { write: mayWriteCache(inputs.cacheWrite, ctx.eventName) };
  const layersLocal = inputs.cache && inputs.cacheMode === 'actions' && useBuildx;
  await stage('restore', 'Restore caches', async () => {
    if (!inputs.cache) return io.info('cache is false: building without caches.');
    const exportable = useBuildx ? await builderCanExport(dockerEnv) : { ok: false, why: 'buildx is missing' };
    if (!exportable.ok) io.warning(`The layer cache is skipped: ${exportable.why}.`);
    if (!cacheAvailable(io)) return;
    const project = javaPlan.project;
    [cache.dependencies, cache.layers] = await Promise.all([
      project ? restoreDependencies(project.tool, inputs.workingDirectory, inputs.javaArgs, env, io) : undefined,
      layersLocal && exportable.ok ? restoreLayers(inputs.images.map((i) => i.name), path.relative(ctx.workspace, inputs.file), ctx.sha, ctx.runnerTemp, io) : undefined,
    ]);
  });
  post.cache = cache;
  saveState(io.state, post);

  if (inputs.reproducible && !committed) io.warning('The commit time is unknown, so the build is not made reproducible.');
  const jar = await stage('java', 'Java build', async () => {
    if (!javaPlan.command && !inputs.artifact) {
      if (inputs.javaTool === 'auto') io.notice('No Maven or Gradle project in working-directory: skipping the Java build.');
      return undefined;
    }
    if (reproducible && javaPlan.project?.tool === 'gradle') writeGradleInitScript(gradleInitScript);
    const found = await buildJava(inputs, javaPlan);
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
          ? layerCacheArgs('registry', { ref: registryCacheRef(inputs.images[0].name) }, cache.write && inputs.push)
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
    const result = await buildImage(spec, useBuildx, dockerEnv);
    if (cache.layers) cache.layers.exported = promoteExport(dirs);
    return result;
  });
  io.setOutput('image-id', built.imageId);

  const pushes: PushResult[] = [];
  if (inputs.push) {
    await stage('push', 'Push', async () => {
      for (const ref of meta.tags) {
        const r = await pushTag(ref, dockerEnv, policy);
        io.info(`Pushed ${ref}@${r.digest}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}`);
        pushes.push(r);
      }
    });
  } else {
    io.info('push is false: the image was built and loaded into the local engine only.');
  }
  const cacheHit = { dependencies: cache.dependencies?.hit ?? 'off', layers: cache.layers?.hit ?? 'off' } as const;
  io.setOutput('digest', pushes[0]?.digest ?? '');
  io.setOutput('pushed', String(pushes.length > 0));
  io.setOutput('cache-hit', JSON.stringify(cacheHit));
  io.setOutput('metadata', metadataJson({ meta, inputs, pushes, imageId: built.imageId, builder: built.builder, artifact: jar ? path.relative(ctx.workspace, jar) : undefined, cacheHit, reproducible, timings }));
  const digests = new Set(pushes.map((p) => p.digest));
  if (digests.size > 1) io.warning(`The pushed tags resolve to different digests: ${[...digests].join(', ')}.`);
  post.succeeded = true;
  saveState(io.state, post);
}
