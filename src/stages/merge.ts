/** The merge job (`merge-digests`): no build, the legs' images stitched into one index, pushed by digest, tags last. */
import { NO_CACHE_HITS } from '../cache/keys.js';
import type { Published } from '../builders/builder.js';
import { StageError } from '../errors.js';
import { useImagetools, imagetools } from '../merge/imagetools.js';
import { checkLegs, pushIndex, pushIndexWithDocker, type MergeIO } from '../merge/registry.js';
import { resolveLegs } from '../merge/source.js';
import { metadataJson } from '../outputs.js';
import type { RunRecord } from '../report/summary.js';
import type { Meta } from '../tags/index.js';
import type { Target } from '../targets.js';
import { registryPool, type Job } from '../job.js';
import { supplyStage } from './supply.js';

type StageFn = <T>(key: string, title: string, fn: () => Promise<T>) => Promise<T>;

/** Runs the merge onto the run's targets, sets the outputs and the job summary record; throws when a registry did not get every tag. */
export async function mergeStage(job: Job, meta: Meta, targets: readonly Target[], push: boolean, record: RunRecord, stage: StageFn): Promise<void> {
  const { io, inputs } = job;
  // the folder is read (and every file parsed) before any registry is asked
  const legs = resolveLegs(inputs.distribute.merge!);
  record.builder = 'merge';
  const commit = job.sha;
  io.info(`Merging ${legs.length} leg(s) built from ${commit}: ${legs.map((l) => l.digest).join(', ')}`);
  if (!push) {
    io.info(`Nothing is merged: ${record.reasonNotPushed ?? 'nothing is pushed'}.`);
    io.setOutput('metadata', metadataJson({ meta, results: [], pushes: [], imageId: '', builder: 'merge', cacheHit: NO_CACHE_HITS, reproducible: false, timings: record.timings }));
    return;
  }
  const pool = registryPool(job);
  const mio: MergeIO = {
    client: pool.client,
    fallback: (registry, e) => useImagetools(e, registry, inputs.logins, job.dockerConfig),
    tools: imagetools(job.dockerConfig.dir, job.policy),
    log: (m) => io.info(m),
  };
  let published: Published & { digest: string };
  try {
    const checked = await stage('merge-check', 'Check the legs on every registry', async () => checkLegs(legs, targets, commit, meta.annotations, mio));
    published = await stage('merge', 'Push the index, then the tags', async () =>
      checked.viaDocker ? pushIndexWithDocker(checked.found, legs, targets, meta.annotations, mio) : { ...(await pushIndex(checked.plan, targets, mio)), digest: checked.plan.digest },
    );
  } finally {
    pool.close();
  }
  const { pushes, results, digest } = published;
  const failed = results.filter((r) => r.error);
  // `sign: key` signs the index as cosign does, on every registry (sbom and provenance are refused on a merge)
  const signed = inputs.supply.sign !== 'none' && !failed.length ? await stage('supply', 'Sign the index', async () => supplyStage(job, undefined, { pushes, results }, new Date(), job.policy, undefined)) : undefined;
  Object.assign(record, { results, pushed: pushes.length > 0, digest, supply: signed?.supply });
  io.setOutput('digest', digest);
  io.setOutput('pushed', String(pushes.length > 0));
  io.setOutput('metadata', metadataJson({ meta, results, pushes, imageId: '', builder: 'merge', cacheHit: NO_CACHE_HITS, reproducible: false, timings: record.timings, supply: signed?.supply }));
  if (failed.length) {
    const ok = results.filter((r) => r.pushed).map((r) => r.registry).join(', ') || 'No registry';
    throw new StageError('merge', `Tagging the index failed for ${failed.map((f) => `${f.registry} (${f.error})`).join('; ')}. ${ok} got every tag; every registry has the index ${digest} by digest.`);
  }
}
