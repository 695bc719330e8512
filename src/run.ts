import path from 'node:path';
import { maskPieces } from './inputs/secrets.js';
import { secretInputPieces } from './inputs/mask.js';
import { checkTarget } from './inputs/preflight.js';
import { checkArtifactInContext } from './inputs/workspace.js';
import { checkUntrustedCode } from './inputs/untrusted.js';
import { prepareWall } from './sandbox/wall.js';
import { dependencyPaths } from './cache/caches.js';
import { checkContext } from './inputs/context-credentials.js';
import { runnerContext, type RunnerContext } from './context.js';
import { errorMessage, InputError, StageError } from './errors.js';
import { commitDate, eventFacts, type EventFacts } from './github.js';
import { checkNative, chooseBuilder } from './builders/choose.js';
import { builderEngineEnv, describeBuilder, inspectBuildxBuilder } from './builders/buildkit/buildx.js';
import { createBuilder } from './builders/index.js';
import { hasBuildx } from './builders/buildkit/build.js';
import { readDockerfileModel } from './dockerfile/file.js';
import { runnerPlatform } from './inputs/platform.js';
import { declaredArgs, type Dockerfile } from './dockerfile/model.js';
import { localStats, pushedStats } from './builders/buildkit/stats.js';
import { checkPaths, parseInputs, pathsExist, type Inputs } from './inputs/inputs.js';
import type { ActionIO } from './io.js';
import { planJava } from './java/build.js';
import { gradleInitScriptPath } from './java/reproducible.js';
import { metaInputs, resolveMetadata } from './stages/metadata.js';
import { metadataJson } from './outputs.js';
import { planText } from './plan.js';
import { secretLookingArgs } from './inputs/registry-auth.js';
import { readDockerConfig, userDockerConfigDir } from './engine/docker-config.js';
import { defaultPolicy } from './retry/policy.js';
import type { RetryPolicy } from './retry/retry.js';
import { openSession } from './engine/session.js';
import { countRetry, newRecord, summaryMarkdown, type RunRecord } from './report/summary.js';
import { checkMergeSupply } from './merge/refuse.js';
import { commentStage } from './stages/comment.js';
import { mergeStage } from './stages/merge.js';
import { rebaseStage } from './stages/rebase.js';
import { decidePublishing } from './stages/publishing.js';
import { supplyStage } from './stages/supply.js';
import { javaStage } from './stages/java.js';
import { previewsStage } from './stages/previews.js';
import { previewRun } from './previews/run.js';
import { writeLegDigest } from './stages/leg.js';
import { registryAccess, registryPool, type Job } from './job.js';
import { restoreCaches } from './stages/restore.js';
import { saveState, type PostState } from './state.js';
import { secretLines, wantsSupply } from './supply/options.js';
import { resolveSigstore } from './supply/sigstore/trust.js';
import { ignoredAttributes } from './tags/attrs.js';
import { labelledSha, parseFlavor, parseTagRules, type Meta } from './tags/index.js';
import { publishTargets } from './targets.js';

function stageRunner(io: ActionIO, timings: Record<string, number>, failure: { stage?: string }) {
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

type Stage = ReturnType<typeof stageRunner>;

/** The one retry budget of the run: each retry is a warning with its cause, and counted for the job summary. */
function retryPolicy(io: ActionIO, retries: number, record: RunRecord) {
  return defaultPolicy(retries, (attempt, reason, wait, scope) => {
    countRetry(record, scope);
    io.warning(`Retry ${attempt} in ${(wait / 1000).toFixed(1)} s: ${scope ? `${scope}: ` : ''}${reason}`);
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

function readInputs(io: ActionIO, ctx: RunnerContext, env: NodeJS.ProcessEnv, facts: EventFacts): Inputs {
  const fork = facts.fork !== undefined;
  // mask first, line by line: a parse error below may quote an input
  for (const piece of secretInputPieces((n) => io.getInput(n))) io.setSecret(piece);
  for (const line of secretLines((n) => io.getInput(n))) io.setSecret(line);
  // the runner's OIDC request token: whoever holds it can ask for the job's identity
  if (env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) io.setSecret(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  const inputs = parseInputs((n) => io.getInput(n), ctx.workspace, { actor: ctx.actor, fork, env });
  for (const value of [...inputs.logins.map((l) => l.password), ...inputs.secrets.map((s) => s.value ?? '')]) for (const piece of maskPieces(value)) io.setSecret(piece);
  for (const w of [...inputs.warnings, ...ignoredAttributes(parseTagRules(inputs.tags))]) io.warning(w);
  checkMergeSupply(inputs.distribute.merge !== undefined, inputs.supply);
  try {
    // the merge job, a clean-up run and a rebase build nothing: they may run without a checkout
    if (!inputs.distribute.merge && !previewRun(inputs, facts) && !inputs.rebase) checkPaths(inputs, ctx.workspace);
  } catch (e) {
    // a dry run shows tags and labels wherever it runs; what a real run would refuse is a warning
    if (!inputs.dryRun) throw e;
    io.warning(`${errorMessage(e)} (a real run would stop here)`);
  }
  parseFlavor(inputs.flavor);
  for (const img of inputs.images) if (img.lowered) io.warning(`Input 'images': "${img.name}" was lowercased; registries only accept lowercase repository names.`);
  for (const name of secretLookingArgs(inputs.buildArgs)) {
    io.warning(`Input 'build-args': ${name} looks like a secret, and build args stay readable in the image history; pass it in \`secrets\` and mount it with RUN --mount=type=secret,id=${name}.`);
  }
  return inputs;
}

/** What the Dockerfile tells about the inputs, checked before the first side effect; a dry run only warns. */
function checkBeforeBuild(io: ActionIO, inputs: Inputs, dockerfile: Dockerfile, fileRel: string, wantsJar: boolean): void {
  try {
    if (dockerfile.text) checkTarget(inputs.target, dockerfile, fileRel);
    if (wantsJar) checkArtifactInContext(inputs);
    // the merge job builds nothing from the context
    if (dockerfile.text && !inputs.distribute.merge) checkContext(inputs, dockerfile, wantsJar, (m) => io.warning(m));
  } catch (e) {
    if (!inputs.dryRun) throw e;
    io.warning(`${errorMessage(e)} (a real run would stop here)`);
  }
}

/** Everything the stages share, worked out before the first side effect. */
async function prepare(io: ActionIO, ctx: RunnerContext, env: NodeJS.ProcessEnv, inputs: Inputs, facts: EventFacts, policy: RetryPolicy): Promise<Job> {
  const sha = labelledSha(ctx.eventName, ctx.sha, ctx.payload, metaInputs(inputs, env, ctx.eventName).prSha);
  const commit = await commitDate(ctx, sha, inputs.githubToken, (m) => io.info(m), policy);
  if (commit) io.info(`Commit time of ${sha}: ${commit.date.toISOString()} (from ${commit.source}).`);
  const committed = commit?.date;
  const reproducibleAt = inputs.reproducible ? committed : undefined;
  if (inputs.reproducible && !committed) io.warning('The commit time is unknown, so the build is not made reproducible.');
  const gradleInitScript = gradleInitScriptPath(ctx.runnerTemp);
  // a rebase reads no project and no Dockerfile: nothing of the checkout is built or run
  const paths = inputs.rebase ? { workingDirectory: false, file: false } : pathsExist(inputs);
  const javaPlan = paths.workingDirectory ? planJava(inputs, env, reproducibleAt ? { commitDate: reproducibleAt, gradleInitScript } : undefined) : {};
  const dockerfile = readDockerfileModel(inputs, ctx.workspace, paths.file);
  const wantsJar = declaredArgs(dockerfile).includes('JAR_FILE') && !inputs.buildArgs.some(([k]) => k === 'JAR_FILE');
  const untrusted = inputs.allowUntrustedCheckout ? undefined : facts.untrustedCheckout;
  checkBeforeBuild(io, inputs, dockerfile, path.relative(ctx.workspace, inputs.file), wantsJar);
  if (paths.file && !inputs.dryRun) checkNative(inputs, dockerfile);
  const javaBuild = javaPlan.command ? [javaPlan.command.file, ...javaPlan.command.args].join(' ') : undefined;
  if (!inputs.dryRun && !inputs.distribute.merge && !inputs.rebase) checkUntrustedCode(untrusted, { javaBuild, dockerfile });
  // a named builder must exist before anything happens; inspecting it starts nothing
  const buildx = inputs.buildxBuilder && !inputs.dryRun ? await inspectBuildxBuilder(inputs.buildxBuilder, {}) : undefined;
  const dockerConfig = readDockerConfig(userDockerConfigDir(env));
  if (dockerConfig.problem) io.warning(`The docker config ${dockerConfig.dir}/config.json is not used: ${dockerConfig.problem}. Registries not in the inputs are asked without credentials.`);
  // a private Sigstore's trusted root or signing config is read (and checked) before anything is built
  const sigstore = inputs.supply.sign === 'keyless' && !inputs.dryRun ? await resolveSigstore(inputs.supply.sigstore, ctx.workspace, policy) : undefined;
  const dependencyStore = javaPlan.project ? dependencyPaths(javaPlan.project.tool, javaPlan.command?.cwd ?? inputs.workingDirectory, inputs.javaArgs, env) : [];
  const runsRepoCode = javaBuild !== undefined && !inputs.dryRun && !inputs.distribute.merge;
  const wall = await prepareWall(io, { ctx, env, inputs, gradleInitScript, dockerConfigDir: dockerConfig.dir, buildWrites: dependencyStore }, runsRepoCode);
  const registries = registryAccess(inputs, dockerConfig, io);
  return { io, ctx, env, inputs, sha, javaPlan, dockerfile, runnerPlatform: runnerPlatform(), wantsJar, commitDate: committed, reproducibleAt, gradleInitScript, untrusted, policy, buildx, dockerConfig, registries, sigstore, wall, dependencyStore };
}

/** What makes the image: the real builders unless the caller passes others (the in-process test tier does). */
export interface RunDeps {
  createBuilder: typeof createBuilder;
}

/** The whole main step, stage by stage, then the job summary, also when a stage failed. Throws; the entry point reports. */
export async function runMain(io: ActionIO, env: NodeJS.ProcessEnv = process.env, now: Date = new Date(), deps: RunDeps = { createBuilder }): Promise<void> {
  const record = newRecord();
  const failure: { stage?: string } = {};
  try {
    await pipeline(io, env, now, record, stageRunner(io, record.timings, failure), deps);
  } catch (e) {
    record.failure = { stage: failure.stage ?? 'inputs', message: errorMessage(e), tail: e instanceof StageError ? e.tail : [] };
    throw e;
  } finally {
    await io.writeSummary(summaryMarkdown(record)).catch((e: unknown) => io.warning(`The job summary could not be written: ${errorMessage(e)}`));
  }
}

async function pipeline(io: ActionIO, env: NodeJS.ProcessEnv, now: Date, record: RunRecord, stage: Stage, deps: RunDeps): Promise<void> {
  const ctx = runnerContext(env);
  const facts = await eventFacts(ctx);
  const { fork, pr } = facts;
  const inputs = await stage('inputs', 'Read inputs', async () => readInputs(io, ctx, env, facts));
  const policy = retryPolicy(io, inputs.retries, record);
  const cleanup = previewRun(inputs, facts);
  if (cleanup) {
    io.setOutput('pushed', 'false');
    const dockerConfig = readDockerConfig(userDockerConfigDir(env));
    await stage('previews', cleanup === 'closed' ? 'Remove the pull request preview' : 'Sweep the previews of closed pull requests', async () => previewsStage({ io, ctx, env, inputs, policy, dockerConfig, now }, cleanup, facts));
    return;
  }
  const job = await prepare(io, ctx, env, inputs, facts, policy);

  const meta = await stage('metadata', 'Compute tags and labels', async () => {
    const m = await resolveMetadata(inputs, ctx, env, io, { now, commitDate: job.commitDate }, policy, () => registryPool(job));
    for (const w of m.warnings) io.warning(w);
    io.info(`Tags:\n${m.tags.join('\n') || '(none)'}\nLabels:\n${m.labels.join('\n')}`);
    return m;
  });
  setMetaOutputs(io, meta);
  io.setOutput('pushed', 'false');
  record.tags = meta.tags;
  // where the image goes, worked out once: every stage below takes these, none parses a `name:tag` back
  const targets = publishTargets(inputs.images, meta.tagNames);

  if (inputs.dryRun) {
    await stage('plan', 'Dry run: the plan', async () => io.info(planText(inputs, job.javaPlan, meta, targets, job.wantsJar, ctx.runnerTemp)));
    return;
  }

  const post: PostState = { registries: [] };
  const persist = (): void => saveState(io.state, post);
  const { push, reasonNotPushed } = await decidePublishing(job, meta, facts);
  record.reasonNotPushed = reasonNotPushed;
  if (inputs.distribute.merge) return mergeStage(job, meta, targets, push, record, stage);
  if (inputs.rebase) return rebaseStage(job, meta, targets, push, record, stage);

  const choice = chooseBuilder(inputs, job.dockerfile, push);
  io.info(choice.reason);
  record.builder = choice.kind;
  if (job.buildx) io.info(describeBuilder(job.buildx, push));
  // a named docker-driver builder is a docker context: the whole docker path runs on that engine
  const engine = builderEngineEnv(job.buildx);
  const useBuildx = choice.kind === 'docker' && (await hasBuildx(engine));
  const reused = await stage('restore', 'Restore caches', async () => restoreCaches(job, useBuildx, engine, choice.kind === 'native', push ? targets : undefined));
  const { cache, record: imageRecord } = reused;
  post.cache = cache;
  persist();

  // the build tool runs before any login, so no credential is on disk or in its environment yet
  const jar = await stage('java', 'Java build', async () => javaStage(job, cache, reused, persist));
  if (jar) io.setOutput('artifact', path.relative(ctx.workspace, jar));
  if (job.wantsJar && !jar && !imageRecord) {
    throw new InputError('java-tool', 'the Dockerfile declares ARG JAR_FILE but no jar was built; set `java-tool`/`working-directory` to your Java project, or `artifact` to a prebuilt jar.');
  }
  // the native builder speaks to registries itself: no engine login, daemon.json or certs.d
  const dockerEnv = {
    ...engine,
    ...(choice.kind === 'docker' && !job.untrusted && (inputs.logins.length || inputs.insecureRegistries.length)
      ? await stage('login', 'Log in to the registries', async () => openSession(inputs.logins, inputs.insecureRegistries, ctx, userDockerConfigDir(env), post, persist, policy, io))
      : {}),
  };
  const builder = deps.createBuilder(choice.kind, job, { cache, useBuildx, push, dockerEnv, policy, record: imageRecord });
  const built = await stage('image', 'Build the image', async () => builder.build(meta, targets, jar));
  io.setOutput('image-id', built.imageId);
  record.builder = built.builder;

  const leg = inputs.distribute.pushByDigest;
  const published = push ? await stage('push', 'Push', async () => builder.publish(targets, leg ? 'digest' : 'tags')) : { pushes: [], results: [], stats: undefined };
  if (leg && published.pushes.length && !published.results.some((r) => r.error)) await stage('leg', 'Digest file for the merge job', async () => writeLegDigest(job, published));
  const { pushes, results, supply } = wantsSupply(inputs.supply) && published.pushes.length ? await stage('supply', 'SBOM, provenance and signatures', async () => supplyStage(job, jar, published, now, policy, built.base)) : { ...published, supply: undefined };
  if (!push) io.info(built.builder === 'native' ? 'Nothing is pushed: the native builder made the image, and it stays unpublished.' : 'Nothing is pushed: the image was built and loaded into the local engine only.');
  const cacheHit = { dependencies: cache.dependencies?.hit ?? 'off', layers: cache.layers?.hit ?? cache.nativeLayers?.hit ?? 'off', jar: cache.artifact?.hit ?? 'off', image: cache.record?.hit ?? 'off' } as const;
  Object.assign(record, { supply, results, cacheHit, reproducible: job.reproducibleAt !== undefined, pushed: pushes.length > 0, digest: pushes[0]?.digest });
  record.stats = published.stats ?? (pushes[0] ? await pushedStats(pushes[0].image, pushes[0].digest, dockerEnv, inputs.buildxBuilder) : await localStats(built.imageId, dockerEnv));
  if (inputs.prComment && pr && !fork && !leg) await stage('comment', 'Pull request comment', async () => commentStage(job, pr, pushes, meta));

  io.setOutput('digest', pushes[0]?.digest ?? '');
  io.setOutput('pushed', String(pushes.length > 0));
  io.setOutput('cache-hit', JSON.stringify(cacheHit));
  const artifact = jar ? path.relative(ctx.workspace, jar) : undefined;
  io.setOutput('metadata', metadataJson({ meta, results, pushes, imageId: built.imageId, builder: built.builder, artifact, cacheHit, reproducible: job.reproducibleAt !== undefined, timings: record.timings, supply }));
  const digests = new Set(pushes.map((p) => p.digest));
  if (digests.size > 1) io.warning(`The pushed tags resolve to different digests: ${[...digests].join(', ')}.`);
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    const ok = results.filter((r) => r.pushed).map((r) => r.registry).join(', ') || 'No registry';
    throw new StageError('push', `Push failed for ${failed.map((f) => `${f.registry} (${f.error})`).join('; ')}. ${ok} got the image.`);
  }
  post.succeeded = true;
  persist();
}
