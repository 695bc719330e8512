import type { Job } from '../job.js';
import type { ImageBuilder } from './builder.js';
import type { BuilderKind } from './choose.js';
import { dockerBuilder, type DockerDeps } from './buildkit/docker.js';
import { nativeBuilder } from './native/builder.js';

/** The builder `chooseBuilder` picked, with what it needs. */
export function createBuilder(kind: BuilderKind, job: Job, deps: DockerDeps): ImageBuilder {
  return kind === 'native' ? nativeBuilder(job, deps.policy, deps.cache, deps.record) : dockerBuilder(job, deps);
}
