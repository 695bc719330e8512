import type { CacheState } from '../cache/caches.js';
import { publish } from '../image/publish.js';
import type { RetryPolicy } from '../registry/retry.js';
import { imageStage } from '../stages/image.js';
import type { Job } from '../stages/job.js';
import type { ImageBuilder } from './builder.js';

export interface DockerDeps {
  cache: CacheState;
  useBuildx: boolean;
  push: boolean;
  dockerEnv: Record<string, string>;
  policy: RetryPolicy;
}

/** BuildKit through the engine: build into the local store, then `docker push` each tag. */
export function dockerBuilder(job: Job, d: DockerDeps): ImageBuilder {
  return {
    build: (meta, jar) => imageStage(job, meta, jar, d.cache, d.useBuildx, d.push, d.dockerEnv),
    publish: (meta) => publish(meta.tags, job.inputs.images, d.dockerEnv, d.policy, (m) => job.io.info(m)),
  };
}
