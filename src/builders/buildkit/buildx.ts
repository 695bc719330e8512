import { InputError } from '../../errors.js';
import { execute } from '../../exec.js';
import { pushOutput } from './args.js';
import type { ImageName } from '../../oci/name.js';

const INSPECT_TIMEOUT_MS = 30 * 1000;

/** A buildx builder as `docker buildx inspect <name>` shows it (its first node). */
export interface BuildxBuilder {
  name: string;
  driver: string;
  /** The first node's endpoint: a docker context name (docker, docker-container), a URL (remote, cloud), a pod spec. */
  endpoint?: string;
  /** running, inactive, stopped, error, … as buildx says; absent when it says nothing. */
  status?: string;
  platforms: string[];
  /** A node's `Error:` line, when buildx could not reach it. */
  error?: string;
}

/**
 * `docker buildx inspect` output into its facts. The builder's own lines (Name, Driver, Error) come before `Nodes:`;
 * then one block per node, each starting with `Name:`. Endpoint and Status are the first node's; Platforms those of
 * every node (a `*` marks the ones set by hand); Error the first that any node shows. Undefined when there is no
 * Driver line. Pure.
 */
export function parseBuildxInspect(stdout: string): BuildxBuilder | undefined {
  const lines = stdout.split(/\r?\n/);
  const nodesAt = lines.findIndex((l) => /^Nodes:\s*$/.test(l));
  const head = nodesAt < 0 ? lines : lines.slice(0, nodesAt);
  const nodes: string[][] = [];
  for (const l of nodesAt < 0 ? [] : lines.slice(nodesAt + 1)) {
    if (/^Name:/.test(l) || !nodes.length) nodes.push([]);
    nodes[nodes.length - 1].push(l);
  }
  const field = (from: string[], key: string): string | undefined => {
    const line = from.find((l) => l.startsWith(`${key}:`));
    const v = line?.slice(key.length + 1).trim();
    return v || undefined;
  };
  const driver = field(head, 'Driver');
  if (!driver) return undefined;
  const platforms = nodes.flatMap((n) => (field(n, 'Platforms') ?? '').split(',')).map((p) => p.trim().replace(/\*$/, '')).filter(Boolean);
  return {
    name: field(head, 'Name') ?? '',
    driver,
    endpoint: nodes[0] && field(nodes[0], 'Endpoint'),
    status: nodes[0] && field(nodes[0], 'Status'),
    platforms: [...new Set(platforms)],
    error: field(head, 'Error') ?? nodes.map((n) => field(n, 'Error')).find(Boolean),
  };
}

/** Whether the builder pushes the image itself: every driver but `docker`, whose images go to the engine's store. Pure. */
export function pushesFromBuilder(builder: Pick<BuildxBuilder, 'driver'> | undefined): boolean {
  return builder !== undefined && builder.driver !== 'docker';
}

/**
 * The --output of the build: a builder that pushes by itself and a run that pushes send the image to every image name
 * by digest (plain HTTP where insecure-registries says so); otherwise none, and the image is loaded (--load). Pure.
 */
export function builderOutput(builder: Pick<BuildxBuilder, 'driver'> | undefined, push: boolean, images: readonly Pick<ImageName, 'name' | 'registry'>[], insecureRegistries: readonly string[]): string | undefined {
  if (!pushesFromBuilder(builder) || !push) return undefined;
  return pushOutput(images.map((i) => i.name), images.some((i) => insecureRegistries.includes(i.registry)));
}

/**
 * The engine a docker-driver builder stands for: its endpoint is a docker context, and buildx builds on it only when
 * that context is the current one (DOCKER_HOST would override the context, so it is cleared). Other drivers talk to
 * their own BuildKit through `--builder`; the engine stays the job's. Pure.
 */
export function builderEngineEnv(builder: BuildxBuilder | undefined): Record<string, string> {
  if (!builder || builder.driver !== 'docker' || !builder.endpoint) return {};
  return { DOCKER_CONTEXT: builder.endpoint, DOCKER_HOST: '' };
}

const HOW_TO_CREATE = 'create it earlier in the job, e.g. with docker/setup-buildx-action (`id: buildx`), and pass its name: `builder: ${{ steps.buildx.outputs.name }}`';

/**
 * Looks the named builder up, before anything has happened. `docker buildx inspect` without --bootstrap reads the
 * builder's state and asks its nodes, but starts nothing and changes nothing. Throws InputError when it is missing.
 */
export async function inspectBuildxBuilder(name: string, dockerEnv: Record<string, string>): Promise<BuildxBuilder> {
  const r = await execute('docker', ['buildx', 'inspect', '--builder', name], { env: dockerEnv, timeoutMs: INSPECT_TIMEOUT_MS }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e), timedOut: false }));
  if (r.timedOut) throw new InputError('builder', `\`docker buildx inspect --builder ${name}\` did not answer within ${INSPECT_TIMEOUT_MS / 1000} s; check that the builder's endpoint is reachable from the runner.`);
  const parsed = r.code === 0 ? parseBuildxInspect(r.stdout) : undefined;
  if (!parsed) {
    const said = r.stderr.trim().split('\n').pop() || `exit code ${r.code}`;
    throw new InputError('builder', `no buildx builder "${name}" on this runner (${said}); ${HOW_TO_CREATE}.`);
  }
  if (parsed.error) throw new InputError('builder', `the buildx builder "${name}" (${parsed.driver}) cannot be reached: ${parsed.error}; check its endpoint, or ${HOW_TO_CREATE}.`);
  return parsed;
}

/** One line for the log: the builder and what it means for this run. Pure. */
export function describeBuilder(b: BuildxBuilder, push: boolean): string {
  const where = `buildx builder "${b.name}" (driver ${b.driver}${b.endpoint ? `, endpoint ${b.endpoint}` : ''}${b.status ? `, ${b.status}` : ''}${b.platforms.length ? `, ${b.platforms.join(', ')}` : ''})`;
  if (!pushesFromBuilder(b)) return `Building on ${where}: images go to that engine's store, then are pushed from it.`;
  return push
    ? `Building on ${where}: the builder pushes the image by digest straight to the registries (no --load), then the tags are written.`
    : `Building on ${where}: nothing is pushed, so the image is loaded into the local engine (--load).`;
}
