/**
 * A clean-up run: no Java build, no image build. On a closed pull request its preview goes from every image; in a
 * sweep, the previews of pull requests closed longer ago than `cleanup-older-than`. A registry that refuses to
 * delete is a warning naming it.
 */
import type { RunnerContext } from '../context.js';
import type { DockerConfig } from '../engine/docker-config.js';
import { errorMessage } from '../errors.js';
import type { EventFacts } from '../github.js';
import type { Inputs } from '../inputs/inputs.js';
import type { ActionIO } from '../io.js';
import { DOCKER_HUB, type ImageName } from '../oci/name.js';
import { credentialsFor } from '../registry/credentials.js';
import type { RegistryClient } from '../registry/client.js';
import { registryClients } from '../registry/pool.js';
import type { RetryPolicy } from '../retry/retry.js';
import { DockerHubTags, HUB_API } from './hub.js';
import { PackageVersions } from './packages.js';
import { removalPlan, type RepoSnapshot } from './plan.js';
import { pullCommits, pullState, type PullsApi } from './pulls.js';
import { readRepository } from './read.js';
import { DeletionRefused, removeFrom, type Deleter } from './remove.js';
import { versionLabel } from './owner.js';
import { previewTags, pullRequestOfTag, type PullRequestRef } from './tags.js';

/** What a clean-up run needs: worked out at the top, before the first side effect. */
export interface CleanupJob {
  io: ActionIO;
  ctx: RunnerContext;
  env: NodeJS.ProcessEnv;
  inputs: Inputs;
  policy: RetryPolicy;
  dockerConfig: DockerConfig;
  now: Date;
}

/** What this run is, as far as previews go: a closed PR's clean-up, a sweep, or neither (a normal run). Pure. */
export function previewRun(inputs: Inputs, facts: Pick<EventFacts, 'pr'>): 'closed' | 'sweep' | undefined {
  if (inputs.cleanup.mode === 'sweep') return 'sweep';
  // push: false pushed no preview: the closed PR's run stays what it was
  return inputs.cleanup.mode === 'auto' && inputs.push && facts.pr?.closed ? 'closed' : undefined;
}

export interface ImageOutcome {
  image: string;
  registry: string;
  tags: string[];
  manifests: number;
  refused?: string;
}

function deleterFor(job: CleanupJob, image: ImageName): Deleter {
  const { inputs, ctx, policy } = job;
  if (image.registry === inputs.cleanup.packagesRegistry) return { kind: 'packages', versions: new PackageVersions({ apiUrl: ctx.apiUrl, token: inputs.githubToken, policy }, image.repository) };
  if (image.registry === DOCKER_HUB) return { kind: 'hub', hub: new DockerHubTags({ base: HUB_API, credentials: credentialsFor(DOCKER_HUB, inputs.logins, job.dockerConfig), policy }) };
  return { kind: 'distribution' };
}

/** The sha tags of `candidates` whose image a preview run made (its version label says so); the others are named. */
async function ownSha(job: CleanupJob, client: RegistryClient, image: ImageName, snapshot: RepoSnapshot, candidates: readonly string[], versions: readonly string[]): Promise<string[]> {
  const own: string[] = [];
  for (const tag of candidates.filter((t) => snapshot.tags.has(t))) {
    const version = await versionLabel(client, image.repository, snapshot.tags.get(tag)!);
    if (version !== undefined && versions.includes(version)) own.push(tag);
    else job.io.info(`${image.name}:${tag} names an image of another run (version ${version ?? 'unknown'}, not ${versions.join(' or ')}): it stays.`);
  }
  return own;
}

/** Removes the previews of `prs` from every image; what each image lost, or why it refused. */
export async function removePreviews(job: CleanupJob, prs: readonly PullRequestRef[]): Promise<ImageOutcome[]> {
  const { io, inputs } = job;
  const found = prs.map((pr) => previewTags(inputs, job.env, job.ctx, pr, job.now));
  const pr = [...new Set(found.flatMap((f) => f.pr))];
  const sha = [...new Set(found.flatMap((f) => f.sha))];
  const versions = [...new Set(found.flatMap((f) => f.versions))];
  io.info(`Preview tags of ${prs.map((p) => `#${p.number}`).join(', ')}: ${[...pr, ...sha].join(', ') || '(none: no tag rule names a pull request or a commit)'}`);
  if (!pr.length && !sha.length) return [];
  const pool = registryClients({ logins: inputs.logins, insecureRegistries: inputs.insecureRegistries, dockerConfig: job.dockerConfig, log: (m) => io.warning(m) }, job.policy);
  const outcomes: ImageOutcome[] = [];
  try {
    for (const image of inputs.images) {
      const client = pool.client(image.registry);
      const snapshot = await readRepository(client, image.repository, [...pr, ...sha]);
      const plan = removalPlan(snapshot, [...pr, ...(await ownSha(job, client, image, snapshot, sha, versions))]);
      const kept = plan.kept.length ? `; kept ${plan.kept.join(', ')} (another tag names it)` : '';
      io.info(`${image.name}: ${plan.tags.length ? `removing ${plan.tags.join(', ')} and ${plan.manifests.length} manifest(s)` : 'no preview tag here'}${kept}`);
      if (inputs.dryRun || !plan.tags.length) {
        outcomes.push({ image: image.name, registry: image.registry, tags: [], manifests: 0 });
        continue;
      }
      try {
        const done = await removeFrom(deleterFor(job, image), client, image.registry, image.repository, plan, job.now);
        outcomes.push({ image: image.name, registry: image.registry, ...done });
      } catch (e) {
        if (!(e instanceof DeletionRefused)) throw e;
        io.warning(`${image.name}: the preview was not removed: ${e.message}.`);
        outcomes.push({ image: image.name, registry: image.registry, tags: [], manifests: 0, refused: e.message });
      }
    }
  } finally {
    pool.close();
  }
  return outcomes;
}

function pullsApi(job: CleanupJob): PullsApi {
  return { ctx: job.ctx, token: job.inputs.githubToken, policy: job.policy };
}

/**
 * The closed pull request of this event: its head and its commits from the API. Not GITHUB_SHA (a merge commit, or
 * on pull_request_target the base's last commit, which main's own runs may have tagged).
 */
export async function closedPullRequest(job: CleanupJob, pr: { number: number; headSha?: string }): Promise<PullRequestRef> {
  const listed = job.inputs.githubToken ? await pullCommits(pullsApi(job), pr.number, (m) => job.io.warning(m)) : [];
  const shas = [...new Set([pr.headSha, ...listed].filter((s): s is string => Boolean(s)))];
  return { number: pr.number, shas, payload: (job.ctx.payload.pull_request ?? {}) as Record<string, unknown> };
}

/** The pull requests whose `pr-N` tags are in the images and which were closed before `cleanup-older-than`. */
export async function sweepCandidates(job: CleanupJob): Promise<PullRequestRef[]> {
  const { io, inputs } = job;
  const numbers = new Set<number>();
  const pool = registryClients({ logins: inputs.logins, insecureRegistries: inputs.insecureRegistries, dockerConfig: job.dockerConfig, log: (m) => io.warning(m) }, job.policy);
  try {
    for (const image of inputs.images) {
      for (const tag of await pool.client(image.registry).listTags(image.repository)) {
        const n = pullRequestOfTag(inputs, job.env, job.ctx, tag, job.now);
        if (n !== undefined) numbers.add(n);
      }
    }
  } finally {
    pool.close();
  }
  const before = job.now.getTime() - inputs.cleanup.olderThanMs;
  const found: PullRequestRef[] = [];
  for (const n of [...numbers].sort((a, b) => a - b)) {
    try {
      const state = await pullState(pullsApi(job), n);
      if (!state) io.info(`#${n}: the API does not know this pull request; its preview is left.`);
      else if (!state.closedAt) io.info(`#${n} is open: its preview stays.`);
      else if (state.closedAt.getTime() > before) io.info(`#${n} was closed at ${state.closedAt.toISOString()}, not long enough ago: its preview stays.`);
      else {
        const listed = await pullCommits(pullsApi(job), n, (m) => io.warning(m));
        found.push({ number: n, shas: [...new Set([state.headSha, ...listed].filter((s): s is string => Boolean(s)))] });
      }
    } catch (e) {
      io.warning(`#${n}: its state could not be read (${errorMessage(e)}); its preview is left.`);
    }
  }
  return found;
}
