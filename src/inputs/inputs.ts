import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkKeyValueLines } from './keyvalues.js';
import { checkPlatforms } from './platform.js';
import { checkNetwork } from './preflight.js';
import { parseSecrets, type BuildSecret } from './secrets.js';
import { checkInWorkspace } from './workspace.js';
import { InputError } from '../errors.js';
import { oneOf, parseBoolean, parseCount, parseKeyValues, parseList, parseProvenance, rawLines, separator, splitArgs } from './values.js';
import { parseRegistryAuth, singleLogin, type RegistryLogin } from './registry-auth.js';
import { canonicalRegistry, isRegistryHost, parseImageName, type ImageName } from '../oci/name.js';
import { parseImages } from '../tags/index.js';
import type { CacheWrite } from '../cache/keys.js';
import type { CacheModeInput } from '../cache/layers.js';
import { parseSupply, type SupplyOptions } from '../supply/options.js';
import { parseDistribute, type DistributeOptions } from '../merge/options.js';
import { parseBuilder } from './builder.js';
import { ISOLATION_MODES, type IsolationMode } from '../sandbox/decide.js';
import { parseCleanup, type CleanupOptions } from './cleanup.js';

export type JavaTool = 'auto' | 'maven' | 'gradle' | 'none';
const JAVA_TOOLS: readonly JavaTool[] = ['auto', 'maven', 'gradle', 'none'];

export type { BuildSecret } from './secrets.js';

export interface Inputs {
  javaTool: JavaTool;
  workingDirectory: string;
  javaArgs: string[];
  /** The build tool's fast path: offline on an exact dependency cache hit, short-build JVM flags, no test compile. */
  fastBuild: boolean;
  artifact: string;
  context: string;
  file: string;
  buildArgs: [string, string][];
  target: string;
  network: string;
  labels: string[];
  platforms: string[];
  secrets: BuildSecret[];
  images: ImageName[];
  /** metadata-action inputs, as raw lines: its own parsers handle comments and quoting. */
  tags: string[];
  flavor: string[];
  annotations: string[];
  sepTags: string;
  sepLabels: string;
  sepAnnotations: string;
  prSha: 'head' | 'merge';
  /** Every registry to log in to, from registry/username/password or registry-auth. */
  logins: RegistryLogin[];
  /** The input the logins came from: what an error about them names. */
  loginInput: 'registry-auth' | 'password';
  insecureRegistries: string[];
  retries: number;
  push: boolean;
  /** push: auto: push when there are tags, else build only. */
  pushAuto: boolean;
  allowOutsideWorkspace: boolean;
  /** A COPY that would put a credential file (.git/config with a token, .npmrc…) into the image only warns. */
  allowCredentialsInContext: boolean;
  dryRun: boolean;
  githubToken: string;
  cache: boolean;
  cacheWrite: CacheWrite;
  /** auto: the registry cache on a builder that pushes by itself, the Actions cache otherwise (see effectiveCacheMode). */
  cacheMode: CacheModeInput;
  reproducible: boolean;
  /** The buildx --provenance value: 'false', or BuildKit's own `mode=min|max` (`true` means ours, in `supply`). */
  provenance: string;
  prComment: boolean;
  /** pull_request_target with a checkout other than the base commit may still log in, push and use caches. */
  allowUntrustedCheckout: boolean;
  /** Whether repository code runs in the sandbox: auto (where the machine allows), required, off. */
  buildIsolation: IsolationMode;
  /** What parsing dropped or changed, for the caller to show. */
  warnings: string[];
  /** SBOM, SLSA provenance and signature attached after the push. */
  supply: SupplyOptions;
  /** Which image builder runs: see src/builders/choose.ts. */
  builder: 'auto' | 'native' | 'docker';
  /** A buildx builder created earlier in the job (`builder: <name>`): the docker builder runs on it. */
  buildxBuilder?: string;
  /** push-by-digest legs and the merge job of a build spread over several runners. */
  distribute: DistributeOptions;
  /** auto: a Spring Boot layered jar becomes one layer per layers.idx entry (native builder); single: one layer. */
  layers: 'auto' | 'single';
  /** Native builder: also load the image into the local engine, when there is one. */
  load: boolean;
  /** What happens to pull request previews once their PR is closed. */
  cleanup: CleanupOptions;
  /** Move the release's application layers onto its base's current image: no build tool, no Dockerfile build. */
  rebase: boolean;
}

/** Reads one input by its action.yml name, untrimmed ('' when unset). */
export type InputReader = (name: string) => string;

export { oneOf, parseBoolean, parseCount, parseKeyValues, parseLines, parseList, parseProvenance, rawLines, separator, splitArgs } from './values.js';

/** registry-auth, or the single registry/username/password; never both. */
function parseLogins(read: InputReader, actor: string, warn: (m: string) => void): RegistryLogin[] {
  const defaults = { actor, token: read('github-token').trim() };
  const auth = read('registry-auth').trim();
  if (auth) {
    const clash = ['registry', 'username', 'password', 'registry-ca'].filter((n) => read(n).trim());
    if (clash.length) throw new InputError('registry-auth', `cannot be combined with ${clash.map((c) => `\`${c}\``).join(', ')}; move that registry into the registry-auth list.`);
    return parseRegistryAuth(auth, defaults, warn);
  }
  return singleLogin(read('registry'), read('username').trim(), read('password').trim(), read('registry-ca'), defaults, warn);
}

/** The same image twice would be built and pushed twice under one name: kept once, with a warning. */
function uniqueImages(images: ImageName[], warn: (m: string) => void): ImageName[] {
  const seen = new Set<string>();
  return images.filter((i) => {
    const key = `${i.registry}/${i.repository}`;
    if (seen.has(key)) {
      warn(`Input 'images': ${i.name} is listed twice; it is pushed once.`);
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** `push`: true, false, or auto (push when the rules give a tag, else build only). */
function parsePush(raw: string): { push: boolean; pushAuto: boolean } {
  if (raw.trim() === 'auto') return { push: true, pushAuto: true };
  return { push: parseBoolean('push', raw, true), pushAuto: false };
}

export interface RunFacts {
  /** github.actor, the ghcr.io user by default. */
  actor: string;
  /** A pull request from a fork runs without secrets: credentials are not looked at, nothing is pushed. */
  fork: boolean;
  /** The step's environment, for `secrets` entries written id=env:NAME. */
  env?: NodeJS.ProcessEnv;
}

/** Parses and cross-checks every input. Pure: throws InputError before anything has happened. */
export function parseInputs(read: InputReader, workspace: string, facts: RunFacts = { actor: '', fork: false }): Inputs {
  const javaTool = oneOf('java-tool', read('java-tool'), JAVA_TOOLS, 'auto');
  const workingDirectory = path.resolve(workspace, read('working-directory').trim() || '.');
  const context = path.resolve(workspace, read('context').trim() || path.relative(workspace, workingDirectory) || '.');
  const fileRaw = read('file').trim();
  const file = fileRaw ? path.resolve(workspace, fileRaw) : path.join(context, 'Dockerfile');
  const warnings: string[] = [];
  const warn = (m: string): number => warnings.push(m);
  const { push, pushAuto } = parsePush(read('push'));
  const images = uniqueImages(
    parseImages(rawLines(read('images')))
      .filter((i) => i.enable)
      .map((i) => parseImageName(i.name, 'images')),
    warn,
  );
  const logins = facts.fork ? [] : parseLogins(read, facts.actor, warn);
  if (read('cache-mode').trim() === 'registry' && images.length === 0) {
    throw new InputError('cache-mode', 'registry keeps the cache as <image>:buildcache, but `images` is empty; name an image or use cache-mode: actions.');
  }
  const dryRun = parseBoolean('dry-run', read('dry-run'), false);
  // a dry run only shows tags: with no image it shows bare tag names, as metadata-action does
  if (push && images.length === 0 && !dryRun) {
    throw new InputError('images', 'nothing to push to: list at least one image name, e.g. `images: acme/app`, or set `push: false`.');
  }
  const platforms = checkPlatforms(parseList(read('platforms')));
  const labels = rawLines(read('labels'));
  const annotations = rawLines(read('annotations'));
  warnings.push(...checkKeyValueLines('labels', labels), ...checkKeyValueLines('annotations', annotations));
  return {
    javaTool,
    workingDirectory,
    javaArgs: splitArgs('java-args', read('java-args')),
    fastBuild: parseBoolean('fast-build', read('fast-build'), true),
    artifact: read('artifact').trim(),
    context,
    file,
    buildArgs: parseKeyValues('build-args', read('build-args')),
    target: read('target').trim(),
    network: checkNetwork(read('network')),
    labels,
    platforms,
    secrets: parseSecrets(read('secrets'), workspace, facts.env ?? {}),
    images,
    tags: rawLines(read('tags')),
    flavor: rawLines(read('flavor')),
    annotations,
    sepTags: separator(read('sep-tags')),
    sepLabels: separator(read('sep-labels')),
    sepAnnotations: separator(read('sep-annotations')),
    prSha: oneOf('pr-sha', read('pr-sha'), ['merge', 'head'] as const, 'merge'),
    logins,
    loginInput: read('registry-auth').trim() ? 'registry-auth' : 'password',
    insecureRegistries: parseList(read('insecure-registries')).map((r) => {
      if (!isRegistryHost(r)) throw new InputError('insecure-registries', `"${r}" is not a host or host:port (no scheme, no path), e.g. 10.0.0.5:5000 or [fd00::5]:5000.`);
      return canonicalRegistry(r);
    }),
    retries: parseCount('retries', read('retries'), 4, 10),
    push,
    pushAuto,
    allowOutsideWorkspace: parseBoolean('allow-outside-workspace', read('allow-outside-workspace'), false),
    allowCredentialsInContext: parseBoolean('allow-credentials-in-context', read('allow-credentials-in-context'), false),
    dryRun,
    githubToken: read('github-token').trim(),
    cache: parseBoolean('cache', read('cache'), true),
    cacheWrite: oneOf('cache-write', read('cache-write'), ['auto', 'true', 'false'] as const, 'auto'),
    cacheMode: oneOf('cache-mode', read('cache-mode'), ['auto', 'actions', 'registry'] as const, 'auto'),
    reproducible: parseBoolean('reproducible', read('reproducible'), true),
    provenance: parseProvenance(read('provenance')),
    prComment: parseBoolean('pr-comment', read('pr-comment'), false),
    allowUntrustedCheckout: parseBoolean('allow-untrusted-checkout', read('allow-untrusted-checkout'), false),
    buildIsolation: oneOf('build-isolation', read('build-isolation'), ISOLATION_MODES, 'auto'),
    warnings,
    supply: parseSupply(read, { env: facts.env, pushes: push && !facts.fork && !dryRun }),
    ...parseBuilder(read('builder')),
    distribute: parseDistribute(read, workspace, { platforms, push, pushAuto, labels }),
    layers: oneOf('layers', read('layers'), ['auto', 'single'] as const, 'auto'),
    load: parseBoolean('load', read('load'), false),
    cleanup: parseCleanup(read),
    rebase: parseRebase(read, push),
  };
}

/** `rebase`: a run that builds nothing and writes to the registries; no leg, no merge job, no `push: false`. */
function parseRebase(read: InputReader, push: boolean): boolean {
  const rebase = parseBoolean('rebase', read('rebase'), false);
  if (!rebase) return false;
  const other = ['push-by-digest', 'merge-digests', 'load'].find((n) => (n === 'merge-digests' ? read(n).trim() !== '' : parseBoolean(n, read(n), false)));
  if (other) throw new InputError('rebase', `a rebase builds nothing, so it cannot be combined with \`${other}\`; run it as a step of its own.`);
  if (!push) throw new InputError('rebase', 'a rebase writes the rebased image to the registries, but push is false; set push: true (or auto).');
  return true;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Which of the paths the inputs name are there (only a dry run goes on without them). */
export function pathsExist(inputs: Inputs): { workingDirectory: boolean; file: boolean } {
  return { workingDirectory: isDir(inputs.workingDirectory), file: existsSync(inputs.file) && statSync(inputs.file).isFile() };
}

/** The checks that need the file system; still run before any side effect. */
export function checkPaths(inputs: Inputs, workspace: string): void {
  const rel = (p: string): string => path.relative(workspace, p) || '.';
  if (!isDir(inputs.workingDirectory)) {
    throw new InputError('working-directory', `directory "${rel(inputs.workingDirectory)}" does not exist; set it to the folder that holds your build.`);
  }
  if (!isDir(inputs.context)) {
    throw new InputError('context', `directory "${rel(inputs.context)}" does not exist; set it to the folder the Dockerfile builds from.`);
  }
  if (!existsSync(inputs.file) || !statSync(inputs.file).isFile()) {
    throw new InputError('file', `no Dockerfile at "${rel(inputs.file)}"; add one there or set \`file\` to its path.`);
  }
  checkInWorkspace({ ...inputs, workspace });
  for (const s of inputs.secrets) {
    if (s.file !== undefined && !(existsSync(s.file) && statSync(s.file).isFile())) throw new InputError('secrets', `the file of secret "${s.id}" (${s.file}) does not exist; write it in an earlier step, or fix the path.`);
  }
}
