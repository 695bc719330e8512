import { errorMessage, StageError } from '../../errors.js';
import { execute } from '../../exec.js';
import { pushSavedByDigest, prepareSaved, type ReuseSource } from './digest-push.js';
import { finalBaseOf } from '../../dockerfile/model.js';
import type { OwnImage } from './own.js';
import { saveFolder, saveImage } from './save.js';
import { parseBaseRef } from '../native/base.js';
import type { RetryPolicy } from '../../retry/retry.js';
import { registryPool, type Job } from '../../job.js';
import type { Target } from '../../targets.js';
import type { Published } from '../builder.js';

/**
 * Where the build's layers may already be compressed: the base only (its layers are the base's to name). Never what
 * a tag points at now: whoever can push there could map this build's diff_ids to blobs of their own. Pure.
 */
export function reuseSources(job: Pick<Job, 'dockerfile' | 'inputs'>): ReuseSource[] {
  const base = finalBaseOf(job.dockerfile, job.inputs.target);
  if (!base) return [];
  try {
    const b = parseBaseRef(base);
    return [{ registry: b.registry, repository: b.repository, reference: b.reference }];
  } catch {
    // not a name the registry client can read: nothing to reuse
    return [];
  }
}

/**
 * The docker driver's push by digest (BuildKit's `push-by-digest` is not implemented there): `docker save` of the
 * run's own image, pushed by our registry client, untagged, to every image; then the run's local name goes, so a
 * leg leaves no name in the engine either. Credentials stay in this process (inputs or the runner's docker config).
 */
export async function publishSavedByDigest(job: Job, own: OwnImage, targets: readonly Target[], dockerEnv: Record<string, string>, policy: RetryPolicy): Promise<Published> {
  const { io } = job;
  const log = (m: string): void => io.info(m);
  const { client, close } = registryPool(job, policy);
  const folder = saveFolder(job.ctx.runnerTemp);
  try {
    let layout: string;
    try {
      layout = await saveImage(own.localName, folder.dir, dockerEnv);
    } catch (e) {
      throw new StageError('push', `Saving the built image from the engine for the push by digest failed: ${errorMessage(e)}.`);
    }
    const sources = reuseSources(job);
    const image = await prepareSaved(layout, folder.dir, client, sources, log).catch((e: unknown) => {
      throw new StageError('push', `The saved image cannot be pushed by digest: ${errorMessage(e)}.`);
    });
    log(`Pushing ${image.config.platform} by digest ${image.digest} (no tag) to ${targets.map((t) => t.image.name).join(', ')}.`);
    const published = await pushSavedByDigest(image, targets, client, sources, log, folder.dir);
    const rm = await execute('docker', ['image', 'rm', '--', own.localName], { env: dockerEnv, timeoutMs: 60 * 1000 }).catch((e: unknown) => ({ code: 1, stderr: errorMessage(e) }));
    if (rm.code !== 0) io.warning(`The run's local name ${own.localName} could not be removed from the engine: ${rm.stderr.trim()}`);
    return published;
  } finally {
    folder.remove();
    close();
  }
}
