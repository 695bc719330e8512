import type { BuildSecret } from '../../inputs/secrets.js';

export interface BuildSpec {
  context: string;
  file: string;
  tags: string[];
  labels: string[];
  buildArgs: [string, string][];
  target: string;
  platforms: string[];
  secrets: BuildSecret[];
  /** Where buildx writes its metadata (digests). */
  metadataFile: string;
  iidFile: string;
  /** --cache-from/--cache-to, buildx only. */
  cacheArgs: string[];
  /** Seconds since the epoch of the commit: BuildKit stamps the image with it instead of the clock. */
  sourceDateEpoch?: number;
  /** buildx --provenance value ('false', 'true', 'mode=max', …). */
  provenance: string;
  /** Network mode for RUN steps ('' for the default). */
  network: string;
  /** A named buildx builder (`builder: <name>`): every buildx call carries --builder. */
  builder?: string;
  /** The --output of a builder that pushes itself (see `pushOutput`); without it the image is loaded (--load). */
  output?: string;
  /** buildx only: the base pinned to the digest resolved before the build, and its annotations (see buildKitBaseArgs). */
  baseArgs?: string[];
}

/** Environment variable that carries secret `index` to BuildKit, so its value never sits in argv. */
export function secretEnvName(index: number): string {
  return `IMAGE_PUBLISH_SECRET_${index}`;
}

function common(spec: BuildSpec): string[] {
  const args = ['--file', spec.file, '--iidfile', spec.iidFile];
  for (const t of spec.tags) args.push('--tag', t);
  for (const l of spec.labels) args.push('--label', l);
  for (const [k, v] of spec.buildArgs) args.push('--build-arg', `${k}=${v}`);
  if (spec.target) args.push('--target', spec.target);
  if (spec.network) args.push('--network', spec.network);
  if (spec.platforms.length) args.push('--platform', spec.platforms.join(','));
  spec.secrets.forEach((s, i) => args.push('--secret', s.file !== undefined ? `id=${s.id},src=${s.file}` : `id=${s.id},env=${secretEnvName(i)}`));
  return args;
}

/**
 * The image exporter of a builder that pushes by itself: to every image name at once, by digest only (no tag; the tags
 * are written afterwards, when every registry has the manifest). `registry.insecure` lets BuildKit use plain HTTP
 * (or an unchecked certificate) for the registries the insecure-registries input names. Pure.
 */
export function pushOutput(names: readonly string[], insecure: boolean): string {
  return ['type=image', `"name=${names.join(',')}"`, 'push-by-digest=true', 'name-canonical=true', 'push=true', ...(insecure ? ['registry.insecure=true'] : [])].join(',');
}

/** `docker buildx build …`: builds once into the engine's image store (pushing is a later step), or pushes by digest from the builder. */
export function buildxArgs(spec: BuildSpec): string[] {
  const builder = spec.builder ? ['--builder', spec.builder] : [];
  const output = spec.output ? ['--output', spec.output] : ['--load'];
  return ['buildx', 'build', ...builder, '--progress', 'plain', ...output, '--provenance', spec.provenance, '--metadata-file', spec.metadataFile, ...spec.cacheArgs, ...(spec.baseArgs ?? []), ...common(spec), '--', spec.context];
}

/** The fallback when buildx is missing: classic `docker build` with BuildKit switched on through the env. */
export function dockerBuildArgs(spec: BuildSpec): string[] {
  return ['build', '--progress', 'plain', ...common(spec), '--', spec.context];
}

/** The environment of the build: secret values, and SOURCE_DATE_EPOCH, which buildx hands to BuildKit. */
export function buildEnv(spec: Pick<BuildSpec, 'secrets' | 'sourceDateEpoch'>): Record<string, string> {
  const env: Record<string, string> = Object.fromEntries(spec.secrets.flatMap((s, i) => (s.value !== undefined ? [[secretEnvName(i), s.value]] : [])));
  if (spec.sourceDateEpoch !== undefined) env.SOURCE_DATE_EPOCH = String(spec.sourceDateEpoch);
  return env;
}
