import type { ImageRecord } from '../../cache/record.js';
import type { CacheState } from '../../cache/caches.js';
import type { BuildResult } from './build.js';
import type { OwnImage } from './own.js';
import { publish } from './publish.js';
import type { RetryPolicy } from '../../retry/retry.js';
import { builderPushStage, imageStage } from './image.js';
import { registryPool, type Job } from '../../job.js';
import type { ImageBuilder } from '../builder.js';
import { publishFromBuilder } from './builder-push.js';
import { pushesFromBuilder } from './buildx.js';
import { publishSavedByDigest } from './docker-digest.js';

export interface DockerDeps {
  cache: CacheState;
  useBuildx: boolean;
  push: boolean;
  dockerEnv: Record<string, string>;
  policy: RetryPolicy;
  /** The native builder's image record, when restore found one whose layers the registries hold. */
  record?: ImageRecord;
}

/**
 * BuildKit, chosen by the buildx driver in this one place: the docker driver (the engine's own builder, or a named
 * one on a docker context) builds into the engine's store and pushes from it; any other driver pushes by itself.
 */
export function dockerBuilder(job: Job, d: DockerDeps): ImageBuilder {
  return pushesFromBuilder(job.buildx) && d.push ? builderPushing(job, d) : engineBuilder(job, d);
}

/** Build into the local store under this run's own name, then push it by its ID. */
function engineBuilder(job: Job, d: DockerDeps): ImageBuilder {
  let built: (BuildResult & { own: OwnImage }) | undefined;
  return {
    build: async (meta, targets, jar) => (built = await imageStage(job, meta, targets, jar, d.cache, d.useBuildx, d.push, d.dockerEnv)),
    publish: async (targets, mode) => {
      if (!built) throw new Error('publish before build');
      // the docker driver cannot push by digest (buildx: "not implemented for docker driver"): save and push it ourselves
      if (mode === 'digest') return publishSavedByDigest(job, built.own, targets, d.dockerEnv, d.policy);
      return publish(targets, built.own, d.dockerEnv, d.policy, (m) => job.io.info(m));
    },
  };
}

/** The builder pushes the image by digest to every image name; our registry client then writes the tags. */
function builderPushing(job: Job, d: DockerDeps): ImageBuilder {
  const { inputs, io } = job;
  let digest: string | undefined;
  return {
    build: async (meta, targets, jar) => {
      const built = await builderPushStage(job, meta, targets, jar, d.cache, d.dockerEnv);
      digest = built.manifestDigest;
      io.info(`The builder "${inputs.buildxBuilder}" pushed ${targets.map((t) => t.image.name).join(', ')} by digest ${digest}.`);
      return built;
    },
    publish: async (targets, mode) => {
      if (!digest) throw new Error('publish before build');
      const pool = registryPool(job, d.policy);
      try {
        return await publishFromBuilder(pool.client, targets, digest, mode, (m) => io.info(m));
      } finally {
        pool.close();
      }
    },
  };
}
