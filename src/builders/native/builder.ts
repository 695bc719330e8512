import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, InputError, StageError } from '../../errors.js';
import { platformName } from '../../oci/manifest.js';
import { pushedTargets, type RegistryResult } from '../buildkit/publish.js';
import type { PushResult } from '../buildkit/push.js';
import { jarBuildArg } from '../buildkit/spec.js';
import type { CacheState } from '../../cache/caches.js';
import { writeRecordFile, type ImageRecord } from '../../cache/record.js';
import { assemble, layerTars, type AssembledImage } from './assemble.js';
import { blobsOfRun, type FetchBlob } from './digests.js';
import { parseBaseRef, readBase, type BaseImage } from './base.js';
import { listContext, openContext, readContextFile } from '../../dockerfile/context.js';
import type { ContextFile } from './copy.js';
import { loadIntoEngine } from './load.js';
import { planBuild, type BuildPlan } from './plan.js';
import { pushImage, tagImage } from './push.js';
import { readDockerfile } from '../../dockerfile/reader.js';
import type { RetryPolicy } from '../../retry/retry.js';
import type { RegistryClient } from '../../registry/client.js';
import { registryPool, type Job } from '../../job.js';
import { digestRef, tagRef, targetRefs, targetsByRegistry, type Target } from '../../targets.js';
import type { ImageBuilder, Published } from '../builder.js';
import { resolvedBase, type ResolvedBase } from '../base.js';

/** `created` and file times: the commit time when reproducible, else SOURCE_DATE_EPOCH, else now. Pure. */
export function buildTime(reproducibleAt: Date | undefined, env: NodeJS.ProcessEnv, now: Date): Date {
  if (reproducibleAt) return reproducibleAt;
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : now;
}

/** A push-by-digest leg is one platform: a multi-platform base needs `platforms` to say which. Throws before any push. */
export function checkOnePlatform(base: Pick<BaseImage, 'platforms' | 'multiPlatform'>, platforms: readonly string[]): void {
  if (base.platforms.length === 1 && (platforms.length === 1 || !base.multiPlatform)) return;
  const which = base.platforms.length > 1 ? base.platforms.map((p) => platformName(p.platform)).join(', ') : 'an index of several';
  throw new InputError('platforms', `push-by-digest pushes one platform per leg, but the base image has ${which} and \`platforms\` does not pick one; set \`platforms\` to the leg's platform, e.g. platforms: \${{ matrix.platform }}.`);
}

/** Labels as `key=value` lines (the metadata's and the label input's) into pairs. Pure. */
export function labelPairs(lines: readonly string[]): [string, string][] {
  return lines.filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

interface Prepared {
  base: BaseImage;
  resolved: ResolvedBase;
  baseRef: ReturnType<typeof parseBaseRef>;
  /** The image as this run made it: its own layers by the digests it computed, the same for every registry. */
  image: AssembledImage;
}

/** A blob of the first image's repository, by a digest the layer-digest cache names: undefined when it lacks it or cannot say. */
function blobFetcher(job: Job, client: (registry: string) => RegistryClient): FetchBlob {
  const target = job.inputs.images[0];
  return async (entry) => {
    if (!target) return undefined;
    const c = client(target.registry);
    mkdirSync(job.ctx.runnerTemp, { recursive: true });
    const dir = mkdtempSync(path.join(job.ctx.runnerTemp, 'image-publish-blob-'));
    try {
      const file = path.join(dir, 'blob');
      return (await c.downloadBlobIfPresent(target.repository, entry, file)) ? readFileSync(file) : undefined;
    } catch (e) {
      job.io.info(`${target.name}: the cached layer ${entry.digest} could not be read (${errorMessage(e)}); the layer is gzipped instead.`);
      return undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

type Client = ReturnType<typeof registryPool>['client'];

/** The context's files, with the recorded jar in place of whatever the disk holds at its path (the build did not run). Pure. */
export function withRecordedJar(files: readonly ContextFile[], record: ImageRecord | undefined): ContextFile[] {
  if (!record) return [...files];
  return [...files.filter((f) => f.path !== record.jar.path), { path: record.jar.path, type: 'file', mode: record.jar.mode, size: record.jar.size }];
}

/** What this build made of its jar, for the next run of the same build: the jar's COPY layers, by the digests just made. Pure. */
export function recordOf(plan: BuildPlan, blobs: readonly { digest: string; size: number }[], diffIds: readonly string[]): ImageRecord | undefined {
  if (!plan.jar) return undefined;
  const layers = plan.layers.flatMap((l, i) => (l.jarLayer === undefined ? [] : [{ name: l.jarLayer, diffId: diffIds[i], digest: blobs[i].digest, size: blobs[i].size }]));
  return layers.length ? { jar: plan.jar, layers } : undefined;
}

/**
 * One registry's targets: the run's one image, pushed by digest to each repository in turn (the run's layers mounted
 * from the ones before), then each repository's own tags; a leg writes no tag.
 */
async function publishRegistry(job: Job, client: Client, registry: string, here: readonly Target[], p: Prepared, leg: boolean): Promise<{ pushes: PushResult[]; result: RegistryResult; stats?: Published['stats'] }> {
  const { io } = job;
  const c = client(registry);
  const before = c.stats.bytesUploaded;
  const pushes: PushResult[] = [];
  // repositories of this registry the image went to already: the next one mounts the run's layers from there
  const done: string[] = [];
  try {
    const { image } = p;
    const base = { client: client(p.baseRef.registry), repository: p.baseRef.repository, sameRegistry: registry === p.baseRef.registry, tempDir: job.ctx.runnerTemp };
    let digest = '';
    let kept = 0;
    let mounted = 0;
    for (const t of here) {
      const pushed = await pushImage(c, t.image.repository, image, [], base, done);
      digest = pushed.digest;
      kept += pushed.layers.exists + pushed.layers.mounted;
      mounted += pushed.layers.mounted;
      done.push(t.image.repository);
    }
    for (const t of here) {
      if (leg) {
        pushes.push({ ref: digestRef(t.image, digest), image: t.image, digest, attempts: 1 });
        continue;
      }
      await tagImage(c, t.image.repository, image, t.tags);
      pushes.push(...t.tags.map((tag) => ({ ref: tagRef(t.image, tag), image: t.image, tag, digest, attempts: 1 })));
    }
    const uploaded = c.stats.bytesUploaded - before;
    const refs = pushes.map((x) => x.ref);
    io.info(`Pushed ${leg ? `${refs.join(', ')} (no tag)` : `${refs.join(', ')}@${digest}`}: ${uploaded} bytes uploaded${kept ? `; ${kept} of ${image.layers.length * here.length} layer push(es) already there by this run's own digest${mounted ? ` (${mounted} mounted)` : ''}` : ''}.`);
    const m = image.platforms[0];
    const stats = { bytes: [...m.baseLayers, ...image.layers].reduce((n, l) => n + l.size, 0), layers: m.baseLayers.length + image.layers.length, compressed: true };
    return { pushes, result: { registry, refs, digest, pushed: true, uploadedBytes: uploaded, targets: pushedTargets(here, pushes) }, stats };
  } catch (e) {
    io.info(`${registry}: ${errorMessage(e)}`);
    return { pushes: [], result: { registry, refs: [], digest: '', pushed: false, error: errorMessage(e), uploadedBytes: c.stats.bytesUploaded - before, targets: [] } };
  }
}

/** After a build of its own (not from a record), the image record for post to save, when restore looked for one. */
function keepRecord(cache: CacheState | undefined, used: ImageRecord | undefined, plan: BuildPlan, blobs: readonly { digest: string; size: number }[], diffIds: readonly string[]): void {
  const r = cache?.record;
  if (!r || used || r.hit === 'exact' || !cache.write || cache.unkept) return;
  const made = recordOf(plan, blobs, diffIds);
  if (!made) return;
  writeRecordFile(r.path, made);
  r.save = true;
}

/** The daemonless builder: reads the base's manifests and configs, writes the layers itself, pushes by digest. */
export function nativeBuilder(job: Job, policy: RetryPolicy, cache?: CacheState, record?: ImageRecord, now: () => Date = () => new Date()): ImageBuilder {
  const { inputs, io } = job;
  const { client, close } = registryPool(job, policy);
  let prepared: Prepared | undefined;

  return {
    async build(meta, targets, jar) {
      const buildArgs = new Map(inputs.buildArgs);
      if (job.wantsJar && (jar || record)) buildArgs.set('JAR_FILE', jar ? jarBuildArg(inputs.context, jar) : record!.jar.path);
      const df = readDockerfile(job.dockerfile, buildArgs);
      const baseRef = parseBaseRef(df.base);
      let base: BaseImage;
      try {
        base = await readBase(client(baseRef.registry), baseRef.repository, baseRef.reference, inputs.platforms, job.runnerPlatform);
      } catch (e) {
        throw new StageError(
          'image',
          `The native builder cannot read the base image ${df.base}: ${errorMessage(e)}. If it is private, give credentials for ${baseRef.registry} in \`registry-auth\` (or log in with docker login before this step).`,
        );
      }
      const onbuild = base.platforms.find((p) => p.config.config?.OnBuild?.length);
      if (onbuild) throw new StageError('image', `The base image ${df.base} has ONBUILD triggers, which the native builder does not run; set builder: docker.`);
      const read = (rel: string): Buffer => readContextFile(inputs.context, rel);
      const sources = df.steps.flatMap((s) => (s.op?.kind === 'copy' ? s.op.sources : []));
      const time = buildTime(job.reproducibleAt, job.env, now());
      const mtime = Math.floor(time.getTime() / 1000);
      let plan: BuildPlan;
      try {
        const context = openContext(inputs.context, inputs.file);
        if (context.ignore.file) io.info(`The build context leaves out what ${context.ignore.file} lists, as BuildKit reads it for this Dockerfile.`);
        plan = planBuild(df, withRecordedJar(listContext(context, sources), record), read, { layers: inputs.layers, mtime, recorded: record });
        if (record && !plan.layers.some((l) => l.made)) throw new Error(`the image record names the jar ${record.jar.path}, which no COPY takes; set \`cache: false\` once to build it afresh`);
      } catch (e) {
        throw new StageError('image', `The image build failed: ${errorMessage(e)}. Check the Dockerfile given in \`file\` and the \`context\`.`);
      }
      for (const n of plan.notes) io.info(n);
      const layers = layerTars(plan, read);
      const created = new Date(mtime * 1000).toISOString().replace('.000Z', 'Z');
      const resolved = resolvedBase(df.base, base);
      const { blobs } = await blobsOfRun(layers, cache?.nativeLayers, blobFetcher(job, client), (m) => io.info(m));
      const diffIds = layers.map((l) => l.diffId);
      const image = assemble(base, resolved, plan, blobs, diffIds, labelPairs(meta.labels), created, inputs.platforms.length > 1);
      keepRecord(cache, record, plan, blobs, diffIds);
      prepared = { base, resolved, baseRef, image };
      if (inputs.load) {
        const baseClient = client(baseRef.registry);
        const msg = await loadIntoEngine({ ...image.platforms[0], layers: image.layers }, { client: baseClient, repository: baseRef.repository, layers: image.platforms[0].baseLayers }, targetRefs(targets), job.ctx.runnerTemp).catch((e: unknown) => {
          throw new StageError('image', `Loading the image into the local engine (load: true) failed: ${errorMessage(e)}.`);
        });
        io.info(msg);
      }
      io.info(`Native build of ${inputs.platforms.join(', ') || 'the base platform'} on ${df.base}: ${layers.length} layer(s), ${layers.reduce((n, l) => n + ('tar' in l ? l.tar.length : 0), 0)} bytes tarred; config ${image.platforms[0].config.digest}.`);
      return { builder: 'native', imageId: image.platforms[0].config.digest, base: resolved };
    },

    async publish(targets, mode) {
      if (!prepared) throw new Error('publish before build');
      const leg = mode === 'digest';
      if (leg) checkOnePlatform(prepared.base, inputs.platforms);
      const out: Published = { pushes: [], results: [] };
      for (const [registry, here] of targetsByRegistry(targets)) {
        const r = await publishRegistry(job, client, registry, here, prepared, leg);
        out.pushes.push(...r.pushes);
        out.results.push(r.result);
        out.stats ??= r.stats;
      }
      close();
      return out;
    },
  };
}
