import type { CacheState } from '../cache/caches.js';
import type { BuildResult } from '../image/build.js';
import type { OwnImage } from '../image/own.js';
import { publish } from '../image/publish.js';
import type { RetryPolicy } from '../registry/retry.js';
import { imageStage } from '../stages/image.js';
import type { Job } from '../stages/job.js';
import type { ImageBuilder } from './builder.js';
import { publishSavedByDigest } from './docker-digest.js';

export interface DockerDeps {
  cache: CacheState;
  useBuildx: boolean;
  push: boolean;
  dockerEnv: Record<string, string>;
  policy: RetryPolicy;
}

/** BuildKit through the engine: build into the local store under this run's own name, then push it by its ID. */
export function dockerBuilder(job: Job, d: DockerDeps): ImageBuilder {
  let built: (BuildResult & { own: OwnImage }) | undefined;
  return {
    build: async (meta, jar) => (built = await imageStage(job, meta, jar, d.cache, d.useBuildx, d.push, d.dockerEnv)),
    publish: async (meta, mode) => {
      if (!built) throw new Error('publish before build');
      // the docker driver cannot push by digest (buildx: "not implemented for docker driver"): save and push it ourselves
      if (mode === 'digest') return publishSavedByDigest(job, built.own, meta, d.dockerEnv, d.policy);
      return publish(meta.tags, job.inputs.images, built.own, d.dockerEnv, d.policy, (m) => job.io.info(m));
    },
  };
}
