import { errorMessage } from '../../errors.js';
import { finalBaseOf } from '../../dockerfile/model.js';
import { registryPool, type Job } from '../../job.js';
import type { RetryPolicy } from '../../retry/retry.js';
import { resolvedBase, type ResolvedBase } from '../base.js';
import { parseBaseRef, readBase } from '../native/base.js';

/**
 * BuildKit's base, resolved once before the build: buildx 0.13 with the docker driver writes no provenance or
 * materials to its metadata file, so the final stage's FROM is read here (manifests and configs, no layer) and
 * the build is then pinned to that digest (see buildKitBaseArgs): what is recorded is what was built. Best effort:
 * when the registry cannot be read here, BuildKit resolves the base itself and nothing is recorded about it.
 */
export async function pinBase(job: Job, policy: RetryPolicy): Promise<ResolvedBase | undefined> {
  const { inputs, io } = job;
  const ref = finalBaseOf(job.dockerfile, inputs.target);
  if (!ref) return undefined;
  const pool = registryPool(job, policy);
  try {
    const b = parseBaseRef(ref);
    const base = await readBase(pool.client(b.registry), b.repository, b.reference, inputs.platforms, job.runnerPlatform);
    const resolved = resolvedBase(ref, base);
    io.info(`Base image ${resolved.name}: ${resolved.digest}${resolved.platforms.map((p) => `, ${p.platform} ${p.digest}`).join('')}; the build is pinned to it.`);
    return resolved;
  } catch (e) {
    io.warning(`The base image ${ref} could not be read before the build (${errorMessage(e)}): BuildKit resolves it itself, and the image carries no base annotations, the SBOM and provenance no base digest.`);
    return undefined;
  } finally {
    pool.close();
  }
}
