import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, InputError, StageError } from '../../errors.js';
import { platformName } from '../../oci/manifest.js';
import { refsByRegistry, type RegistryResult } from '../buildkit/publish.js';
import type { PushResult } from '../buildkit/push.js';
import { jarBuildArg } from '../buildkit/spec.js';
import type { CacheState } from '../../cache/caches.js';
import { assemble, layerTars, type AssembledImage } from './assemble.js';
import { blobsOfRun, type FetchBlob } from './digests.js';
import { parseBaseRef, readBase, type BaseImage } from './base.js';
import { listContext, openContext, readContextFile } from '../../dockerfile/context.js';
import { loadIntoEngine } from './load.js';
import { planBuild, type BuildPlan } from './plan.js';
import { pushImage } from './push.js';
import { readDockerfile } from '../../dockerfile/reader.js';
import { splitRef } from '../../oci/name.js';
import type { RetryPolicy } from '../../retry/retry.js';
import type { RegistryClient } from '../../registry/client.js';
import { registryPool, type Job } from '../../job.js';
import type { ImageBuilder } from '../builder.js';
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
      if (!(await c.hasBlob(target.repository, entry.digest))) return undefined;
      const file = path.join(dir, 'blob');
      await c.downloadBlob(target.repository, entry, file);
      return readFileSync(file);
    } catch (e) {
      job.io.info(`${target.name}: the cached layer ${entry.digest} could not be read (${errorMessage(e)}); the layer is gzipped instead.`);
      return undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The daemonless builder: reads the base's manifests and configs, writes the layers itself, pushes by digest. */
export function nativeBuilder(job: Job, policy: RetryPolicy, cache?: CacheState, now: () => Date = () => new Date()): ImageBuilder {
  const { inputs, io } = job;
  const { client, close } = registryPool(job, policy);
  let prepared: Prepared | undefined;

  return {
    async build(meta, jar) {
      const buildArgs = new Map(inputs.buildArgs);
      if (job.wantsJar && jar) buildArgs.set('JAR_FILE', jarBuildArg(inputs.context, jar));
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
        plan = planBuild(df, listContext(context, sources), read, { layers: inputs.layers, mtime });
      } catch (e) {
        throw new StageError('image', `The image build failed: ${errorMessage(e)}. Check the Dockerfile given in \`file\` and the \`context\`.`);
      }
      for (const n of plan.notes) io.info(n);
      const layers = layerTars(plan, read);
      const created = new Date(mtime * 1000).toISOString().replace('.000Z', 'Z');
      const resolved = resolvedBase(df.base, base);
      const { blobs } = await blobsOfRun(layers, cache?.nativeLayers, blobFetcher(job, client), (m) => io.info(m));
      const image = assemble(base, resolved, plan, blobs, layers.map((l) => l.diffId), labelPairs(meta.labels), created, inputs.platforms.length > 1);
      prepared = { base, resolved, baseRef, image };
      if (inputs.load) {
        const baseClient = client(baseRef.registry);
        const msg = await loadIntoEngine({ ...image.platforms[0], layers: image.layers }, { client: baseClient, repository: baseRef.repository, layers: image.platforms[0].baseLayers }, meta.tags, job.ctx.runnerTemp).catch((e: unknown) => {
          throw new StageError('image', `Loading the image into the local engine (load: true) failed: ${errorMessage(e)}.`);
        });
        io.info(msg);
      }
      io.info(`Native build of ${inputs.platforms.join(', ') || 'the base platform'} on ${df.base}: ${layers.length} layer(s), ${layers.reduce((n, l) => n + l.tar.length, 0)} bytes uncompressed; config ${image.platforms[0].config.digest}.`);
      return { builder: 'native', imageId: image.platforms[0].config.digest, base: resolved };
    },

    async publish(meta, mode) {
      if (!prepared) throw new Error('publish before build');
      const p = prepared;
      const leg = mode === 'digest';
      if (leg) checkOnePlatform(p.base, inputs.platforms);
      const pushes: PushResult[] = [];
      const results: RegistryResult[] = [];
      let stats: { bytes: number; layers: number; compressed: boolean } | undefined;
      // repositories of each registry this run has pushed to: the next one mounts the run's layers from there
      const pushedTo = new Map<string, string[]>();
      for (const [registry, refs] of refsByRegistry(meta.tags, inputs.images)) {
        const img = inputs.images.find((i) => i.registry === registry)!;
        const c = client(registry);
        const tags = leg ? [] : refs.map((r) => splitRef(r).tag);
        const before = c.stats.bytesUploaded;
        try {
          const image = p.image;
          const sameRegistry = registry === p.baseRef.registry;
          const { digest, layers } = await pushImage(c, img.repository, image, tags, { client: client(p.baseRef.registry), repository: p.baseRef.repository, sameRegistry, tempDir: job.ctx.runnerTemp }, pushedTo.get(registry));
          pushedTo.set(registry, [...(pushedTo.get(registry) ?? []), img.repository]);
          const uploaded = c.stats.bytesUploaded - before;
          const pushed = leg ? inputs.images.filter((i) => i.registry === registry).map((i) => `${i.name}@${digest}`) : refs;
          const kept = layers.exists + layers.mounted;
          io.info(`Pushed ${leg ? `${pushed.join(', ')} (no tag)` : `${refs.join(', ')}@${digest}`}: ${uploaded} bytes uploaded${kept ? `; ${kept} of ${image.layers.length} layer(s) already there by this run's own digest${layers.mounted ? ` (${layers.mounted} mounted)` : ''}` : ''}.`);
          for (const ref of pushed) pushes.push({ ref, digest, attempts: 1 });
          results.push({ registry, refs: pushed, digest, pushed: true, uploadedBytes: uploaded });
          const m = image.platforms[0];
          stats ??= { bytes: [...m.baseLayers, ...image.layers].reduce((n, l) => n + l.size, 0), layers: m.baseLayers.length + image.layers.length, compressed: true };
        } catch (e) {
          io.info(`${registry}: ${errorMessage(e)}`);
          results.push({ registry, refs: [], digest: '', pushed: false, error: errorMessage(e), uploadedBytes: c.stats.bytesUploaded - before });
        }
      }
      close();
      return { pushes, results, stats };
    },
  };
}
