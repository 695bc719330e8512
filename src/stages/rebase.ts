/**
 * `rebase: true`: no build tool, no Dockerfile build. The release's tags are read (the first computed tag of the
 * first image is the source), each platform is moved onto its base name's current image, and the result goes to
 * every image by digest, tags last; SBOM, provenance and signature are made anew when asked.
 */
import { NO_CACHE_HITS } from '../cache/keys.js';
import { errorMessage, StageError } from '../errors.js';
import { parseBaseRef } from '../builders/native/base.js';
import { metadataJson } from '../outputs.js';
import { normalPlatformName, platformName } from '../oci/manifest.js';
import { readRelease } from '../rebase/read.js';
import { planRebase, type ReleaseFacts } from '../rebase/plan.js';
import { checkAppLayers, pushRebased } from '../rebase/push.js';
import type { RunRecord } from '../report/summary.js';
import type { ResolvedBase } from '../builders/base.js';
import { wantsSupply } from '../supply/options.js';
import type { Meta } from '../tags/index.js';
import type { Target } from '../targets.js';
import { registryPool, type Job } from '../job.js';
import { supplyStage } from './supply.js';

type StageFn = <T>(key: string, title: string, fn: () => Promise<T>) => Promise<T>;


/** The targets and the source tag: every image with this run's tags; the first tag of the first image is read. */
export function rebaseSource(targets: readonly Target[]): { source: Target; tag: string } {
  const source = targets[0];
  if (!source?.tags.length) {
    throw new StageError('rebase', `Input 'rebase': the release to rebase is read from the first tag the \`tags\` rules give ${source?.image.name ?? 'the first image'}, and they give none on this event; set \`tags\` to the release's tags (e.g. type=raw,value=1.2.3).`);
  }
  return { source, tag: source.tags[0] };
}

/** The new base as the SBOM and provenance name it: the name the image records, at the digest it resolves to now. */
function newBase(release: ReleaseFacts): ResolvedBase {
  const f = release.platforms[0];
  return {
    name: f.base.name,
    digest: f.newBaseTop,
    platforms: release.platforms.map((p) => ({ platform: normalPlatformName(p.platform), digest: p.newBase.digest, config: p.newBase.manifest.config.digest })),
  };
}

export async function rebaseStage(job: Job, meta: Meta, targets: readonly Target[], push: boolean, record: RunRecord, stage: StageFn): Promise<void> {
  const { io, inputs } = job;
  record.builder = 'rebase';
  const report = (extra: { pushes?: Parameters<typeof metadataJson>[0]['pushes']; results?: Parameters<typeof metadataJson>[0]['results']; supply?: Parameters<typeof metadataJson>[0]['supply'] } = {}): string =>
    metadataJson({ meta, results: extra.results ?? [], pushes: extra.pushes ?? [], imageId: '', builder: 'rebase', cacheHit: NO_CACHE_HITS, reproducible: false, timings: record.timings, supply: extra.supply });
  if (!push) {
    io.info(`Nothing is rebased: ${record.reasonNotPushed ?? 'nothing is pushed'}.`);
    io.setOutput('rebase', 'skipped');
    io.setOutput('metadata', report());
    return;
  }
  const { source, tag } = rebaseSource(targets);
  const pool = registryPool(job);
  try {
    const release = await stage('rebase-read', `Read ${source.image.name}:${tag} and its base`, async () => {
      const r = await readRelease(pool.client, source.image.registry, source.image.repository, tag, source.image.name).catch((e: unknown) => {
        if (e instanceof StageError) throw e;
        throw new StageError('rebase', `The release ${source.image.name}:${tag} or its base cannot be read: ${errorMessage(e)}. Nothing was pushed.`);
      });
      io.info(`${r.ref} is ${r.digest}: ${r.platforms.map((f) => `${platformName(f.platform)} on ${f.base.name}@${f.base.digest}`).join('; ')}.`);
      return r;
    });
    const plan = planRebase(release);
    if ('problems' in plan) throw new StageError('rebase', `The rebase was refused, and nothing was pushed:\n- ${plan.problems.join('\n- ')}`);
    if (plan.kind === 'skip') {
      io.info(`Nothing to rebase: ${plan.reason}. No tag moved.`);
      io.setOutput('rebase', 'skipped');
      io.setOutput('digest', release.digest);
      io.setOutput('metadata', report());
      return;
    }
    for (const n of plan.notes) io.info(n);
    const base = parseBaseRef(release.platforms[0].base.name);
    const published = await stage('rebase', 'Push the rebased image, then the tags', async () => {
      await checkAppLayers(plan, targets, pool.client);
      return pushRebased(plan, targets, { registry: base.registry, repository: base.repository }, pool.client, job.ctx.runnerTemp, (m) => io.info(m));
    });
    const known = newBase(release);
    const failed = published.results.filter((r) => r.error);
    const { pushes, results, supply } =
      wantsSupply(inputs.supply) && published.pushes.length && !failed.length
        ? await stage('supply', 'SBOM, provenance and signatures', async () => supplyStage(job, undefined, published, new Date(), job.policy, known))
        : { ...published, supply: undefined };
    Object.assign(record, { results, supply, pushed: pushes.length > 0, digest: pushes[0]?.digest });
    io.setOutput('rebase', 'rebased');
    io.setOutput('digest', pushes[0]?.digest ?? '');
    io.setOutput('pushed', String(pushes.length > 0));
    io.setOutput('metadata', report({ pushes, results, supply }));
    if (failed.length) {
      const ok = results.filter((r) => r.pushed).map((r) => r.registry).join(', ') || 'No registry';
      throw new StageError('rebase', `Moving the tags failed for ${failed.map((f) => `${f.registry} (${f.error})`).join('; ')}. ${ok} got every tag; every registry has the rebased image ${plan.top.digest} by digest.`);
    }
  } finally {
    pool.close();
  }
}
