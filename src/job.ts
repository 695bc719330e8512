import type { Dockerfile } from './dockerfile/model.js';
import type { BuildxBuilder } from './builders/buildkit/buildx.js';
import type { RunnerContext } from './context.js';
import type { Inputs } from './inputs/inputs.js';
import type { ActionIO } from './io.js';
import type { JavaPlan } from './java/build.js';
import { registryClients, type RegistryAccess, type RegistryPool } from './registry/pool.js';
import type { DockerConfig } from './engine/docker-config.js';
import type { RetryPolicy } from './retry/retry.js';
import type { SigstoreEndpoints } from './supply/sigstore/trust.js';
import type { Wall } from './sandbox/run.js';

/** What every stage of one run shares: worked out once, before the first side effect, then read-only. */
export interface Job {
  io: ActionIO;
  ctx: RunnerContext;
  env: NodeJS.ProcessEnv;
  inputs: Inputs;
  javaPlan: JavaPlan;
  /** The Dockerfile, parsed once (empty when there is none): every reader takes this model. */
  dockerfile: Dockerfile;
  /** The platform a build with empty `platforms` makes (the runner's, as BuildKit's default): os/arch[/variant]. */
  runnerPlatform: string;
  /** The Dockerfile declares ARG JAR_FILE and build-args does not set it: the jar goes in as JAR_FILE. */
  wantsJar: boolean;
  /** The commit the tags and the revision label name (metadata-action's sha; the PR head with pr-sha: head). */
  sha: string;
  /** The head commit's time, when it is known: the `created` label. */
  commitDate?: Date;
  /** The commit time, when the build is made reproducible. */
  reproducibleAt?: Date;
  gradleInitScript: string;
  /** Why this run's code gets no credentials, pushes or caches (a pull_request_target checkout of another commit). */
  untrusted?: string;
  /** The buildx builder `builder: <name>` names, as inspected before the first side effect. */
  buildx?: BuildxBuilder;
  /** The sandbox repository code (the Java build, its version probe) runs in. */
  wall: Wall;
  /** Where the build tool keeps its downloads (dependencyPaths), worked out once: the dependency cache, the wall and the moving check take it. */
  dependencyStore: string[];
  /** The run's one retry budget (the `retries` input), counted per registry in the job summary. */
  policy: RetryPolicy;
  /** The runner's docker config (an earlier `docker login`), read once before the first side effect. */
  dockerConfig: DockerConfig;
  /** How registries are reached (logins, CAs, insecure hosts, the docker config): every registry client is made from it. */
  registries: RegistryAccess;
  /** sign: keyless: the CA and log to use, and what their answers are checked against. */
  sigstore?: SigstoreEndpoints;
}

/** The run's registry clients (see registryClients), with the run's retry budget unless `policy` says otherwise. */
export function registryPool(job: Pick<Job, 'registries' | 'policy'>, policy: RetryPolicy = job.policy): RegistryPool {
  return registryClients(job.registries, policy);
}

/** How this run reaches registries: the inputs' logins and insecure hosts, the runner's docker config; retries logged as warnings. */
export function registryAccess(inputs: Pick<Inputs, 'logins' | 'insecureRegistries'>, dockerConfig: DockerConfig, io: Pick<ActionIO, 'warning'>): RegistryAccess {
  return { logins: inputs.logins, insecureRegistries: inputs.insecureRegistries, dockerConfig, log: (m) => io.warning(m) };
}
