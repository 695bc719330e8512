import path from 'node:path';
import { artifactKey, type ArtifactInputs } from '../cache/artifact.js';
import { platform, type CacheState } from '../cache/caches.js';
import { gzipFlavour } from '../cache/layer-digests.js';
import { readRecordFile, recordDir, recordKey, type ImageRecord } from '../cache/record.js';
import { restore } from '../cache/store.js';
import { takesOnlyTheJar } from '../dockerfile/facts.js';
import { errorMessage } from '../errors.js';
import { registryPool, type Job } from '../job.js';
import { targetsByRegistry, type Target } from '../targets.js';

/**
 * Whether the image record may stand in for the build tool and the jar: the native builder pushes (to `targets`),
 * the build is reproducible, the jar is all the image takes from the work tree, and nothing else wants the jar's
 * bytes (no SBOM, no `load`). Pure.
 */
export function recordServes(job: Pick<Job, 'inputs' | 'reproducibleAt' | 'wantsJar' | 'dockerfile'>, native: boolean, targets: readonly Target[] | undefined): boolean {
  const { inputs } = job;
  if (!native || !targets?.length || !job.reproducibleAt || !job.wantsJar || inputs.artifact) return false;
  if (inputs.load || inputs.supply.sbom) return false;
  return takesOnlyTheJar(job.dockerfile);
}

/** Why a restored record is not used, or undefined when every registry holds its layers in the first repository it pushes to. */
async function missingLayers(job: Job, record: ImageRecord, targets: readonly Target[]): Promise<string | undefined> {
  const pool = registryPool(job);
  try {
    for (const [registry, here] of targetsByRegistry(targets)) {
      const repo = here[0].image.repository;
      for (const l of record.layers) if (!(await pool.client(registry).hasBlob(repo, l.digest, 'push'))) return `${registry}/${repo} lacks its layer ${l.digest}`;
    }
    return undefined;
  } catch (e) {
    return `its layers could not be checked (${errorMessage(e)})`;
  } finally {
    pool.close();
  }
}

/**
 * The image record of this exact build: restored by its key, read as data, and used only when the registries hold
 * its layers (a HEAD by the digests it names); else the build runs, and the native builder writes the record anew.
 */
export async function restoreRecord(job: Job, what: ArtifactInputs, targets: readonly Target[]): Promise<{ state: NonNullable<CacheState['record']>; record?: ImageRecord }> {
  const { inputs, ctx, io } = job;
  const key = recordKey(platform(), {
    artifactKey: artifactKey(platform(), what).key,
    dockerfile: job.dockerfile.text,
    buildArgs: inputs.buildArgs,
    context: path.relative(ctx.workspace, inputs.context),
    file: path.relative(ctx.workspace, inputs.file),
    layers: inputs.layers,
    mtime: Math.floor(job.reproducibleAt!.getTime() / 1000),
    flavour: gzipFlavour(),
  });
  const dir = recordDir(ctx.runnerTemp);
  const { hit } = await restore('image record', [dir], key, io);
  const state = { key: key.key, path: dir, hit };
  if (hit !== 'exact') return { state };
  const record = readRecordFile(dir);
  const why = record ? await missingLayers(job, record, targets) : 'it is not a well-formed record';
  if (!record || why) {
    io.info(`The image record ${key.key} is not used, and the jar is built: ${why}.`);
    return { state: { ...state, hit: 'error' } };
  }
  return { state, record };
}
