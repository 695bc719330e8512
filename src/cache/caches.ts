import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import * as glob from '@actions/glob';
import { errorMessage } from '../errors.js';
import { readBuildFileIfAny, readBytes } from '../java/files.js';
import { LIMITS } from '../untrusted/limits.js';
import type { BuildTool } from '../java/detect.js';
import { dependencyKey, layerKey, type HitKind, type Platform } from './keys.js';
import { buildFilePatterns, gradleCachePaths, gradleUserHome, mavenRepository } from './paths.js';
import { artifactDir, artifactKey, unstageArtifact, type ArtifactInputs } from './artifact.js';
import { layerDirs, type LayerExport } from './layers.js';
import { gzipFlavour, layerDigestsDir, layerDigestsKey } from './layer-digests.js';
import { cacheServiceAvailable, mb, restore, save, type CacheLog } from './store.js';
import { listUnits, markUnread, setAside, unusedUnits, type Aside } from './used.js';

/** What post needs to save the caches: keys and paths, nothing secret. */
export interface CacheState {
  write: boolean;
  artifact?: { key: string; path: string; hit: HitKind; staged: boolean };
  /** `unreadSince`: when the Maven repository's files were marked unread, so post saves only what the build read. */
  dependencies?: { key: string; paths: string[]; hit: HitKind; unreadSince?: number };
  layers?: { key: string; path: string; hit: HitKind; exported: boolean };
  /** The native builder's layer digests; `save` is the key of the file this run wrote, when it changed. */
  nativeLayers?: { key: string; path: string; hit: HitKind; save?: string };
  /** The native builder's image record (see record.ts): it stands in for the jar cache; `save` once the builder wrote it. */
  record?: { key: string; path: string; hit: HitKind; save?: boolean };
  /** Why this build's jar stands for no key (its dependencies move upstream): then no jar cache or image record is saved. */
  unkept?: string;
  /** The layer cache the builder can keep, chosen in restore; none when there is no layer cache. */
  layerExport?: LayerExport;
}

export function platform(): Platform {
  return { os: process.platform, arch: process.arch };
}

function readOr(file: string, root: string): string {
  return readBuildFileIfAny(file, root, LIMITS.settingsFileBytes) ?? '';
}

/**
 * sha256 over the build files' paths and contents, so the key changes exactly when dependencies may. Each is read as
 * data (a regular file inside `dir`, LIMITS.buildFileBytes each and LIMITS.buildFilesTotalBytes in all); a link
 * to /dev/zero or out of the tree fails the run, naming it, as the build tool would read it too.
 */
export async function hashBuildFiles(dir: string, tool: BuildTool): Promise<string> {
  const globber = await glob.create(buildFilePatterns(tool).map((p) => path.join(dir, p)).join('\n'), { matchDirectories: false, followSymbolicLinks: false });
  const files = (await globber.glob()).filter((f) => !f.split(path.sep).includes('node_modules')).sort();
  const h = createHash('sha256');
  let left: number = LIMITS.buildFilesTotalBytes;
  for (const f of files) {
    const name = path.relative(dir, f);
    const cap = Math.min(LIMITS.buildFileBytes, left);
    const bytes = readBytes(f, { root: dir, name, cap });
    left -= bytes.length;
    h.update(name).update('\0').update(bytes).update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

/** The directories the build tool downloads into, as the tool itself would resolve them. */
export function dependencyPaths(tool: BuildTool, workingDirectory: string, javaArgs: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const accountHome = os.userInfo().homedir;
  if (tool === 'maven') {
    return [
      mavenRepository({
        javaArgs,
        mavenConfig: readOr(path.join(workingDirectory, '.mvn', 'maven.config'), workingDirectory),
        jvmConfig: readOr(path.join(workingDirectory, '.mvn', 'jvm.config'), workingDirectory),
        mavenOpts: env.MAVEN_OPTS ?? '',
        accountHome,
      }),
    ];
  }
  return gradleCachePaths(gradleUserHome({ javaArgs, gradleUserHome: env.GRADLE_USER_HOME, gradleOpts: `${env.JAVA_OPTS ?? ''} ${env.GRADLE_OPTS ?? ''}`, accountHome }));
}

/** `paths`: the build tool's downloads, as dependencyPaths gives them; `workingDirectory`: where the build files are. */
export async function restoreDependencies(tool: BuildTool, paths: string[], workingDirectory: string, log: CacheLog): Promise<CacheState['dependencies']> {
  const key = dependencyKey(platform(), tool, await hashBuildFiles(workingDirectory, tool));
  const { hit } = await restore(`${tool} dependency`, paths, key, log);
  // an exact hit saves nothing; otherwise post saves only what this build reads (Maven: see used.ts)
  const unreadSince = tool === 'maven' && hit !== 'exact' && hit !== 'off' ? markRepository(paths[0], log) : undefined;
  return { key: key.key, paths, hit, unreadSince };
}

function markRepository(repo: string, log: CacheLog): number | undefined {
  try {
    return markUnread(repo);
  } catch (e) {
    log.warning(`The Maven repository ${repo} could not be marked unread (${errorMessage(e)}); its cache will hold all of it.`);
    return undefined;
  }
}

/** Saves the dependency cache; a Maven repository without what this build did not read (set aside, then put back). */
async function saveDependencies(d: NonNullable<CacheState['dependencies']>, log: CacheLog): Promise<void> {
  const repo = d.paths[0];
  const units = d.unreadSince === undefined ? undefined : listUnits(repo);
  const unused = units && d.unreadSince !== undefined ? unusedUnits(units, d.unreadSince) : undefined;
  if (units && !unused) log.info(`No file of ${repo} shows a read since the restore (access times are not kept here): the dependency cache holds all of it.`);
  if (!units || !unused?.length) {
    await save('dependency', d.paths, d.key, log);
    return;
  }
  let aside: Aside | undefined;
  try {
    aside = setAside(repo, unused, `${repo}.image-publish-unused`);
    log.info(`The dependency cache leaves out ${aside.units} of ${units.length} folders of ${repo} (${mb(aside.bytes)}) that this build did not read.`);
  } catch (e) {
    log.warning(`The unused part of ${repo} could not be set aside (${errorMessage(e)}); the dependency cache holds all of it.`);
  }
  try {
    await save('dependency', d.paths, d.key, log);
  } finally {
    aside?.back();
  }
}

/** The jar this exact build (same content, command, JDK and build tool) made before, if the cache has it; `jar` is where it now lies. */
export async function restoreArtifact(
  inputs: ArtifactInputs,
  workingDirectory: string,
  runnerTemp: string,
  log: CacheLog,
): Promise<{ state: NonNullable<CacheState['artifact']>; jar?: string }> {
  const dir = artifactDir(runnerTemp);
  const key = artifactKey(platform(), inputs);
  const { hit } = await restore('jar', [dir], key, log);
  let jar: string | undefined;
  try {
    jar = hit === 'exact' ? unstageArtifact(dir, workingDirectory) : undefined;
  } catch (e) {
    log.warning(`The jar cache entry ${key.key} is not used, and the jar is built: ${errorMessage(e)}.`);
  }
  return { state: { key: key.key, path: dir, hit: jar ? hit : hit === 'exact' ? 'error' : hit, staged: false }, jar };
}

export async function restoreLayers(images: readonly string[], dockerfile: string, sha: string, runnerTemp: string, log: CacheLog): Promise<CacheState['layers']> {
  const dirs = layerDirs(runnerTemp);
  const key = layerKey(platform(), images, dockerfile, sha);
  const { hit } = await restore('BuildKit layer', [dirs.current], key, log);
  return { key: key.key, path: dirs.current, hit, exported: false };
}

/** The native builder's layer digests: the newest file of this platform and gzip flavour (always a partial hit at best). */
export async function restoreLayerDigests(runnerTemp: string, log: CacheLog): Promise<CacheState['nativeLayers']> {
  const dir = layerDigestsDir(runnerTemp);
  const key = layerDigestsKey(platform(), gzipFlavour());
  const { hit } = await restore('native layer-digest', [dir], key, log);
  return { key: key.key, path: dir, hit };
}

export function cacheAvailable(log: CacheLog): boolean {
  if (cacheServiceAvailable()) return true;
  log.info('The Actions cache service is not available in this environment: caches are off.');
  return false;
}

/** Post: save what changed. An exact hit has nothing new; a failed main saves nothing. */
export async function saveCaches(state: CacheState, log: CacheLog): Promise<void> {
  if (!state.write) {
    log.info('cache-write is off for this event: caches were only read.');
    return;
  }
  const d = state.dependencies;
  const l = state.layers;
  const a = state.artifact;
  const n = state.nativeLayers;
  const r = state.record;
  await Promise.all([
    r?.save && r.hit !== 'exact' ? save('image record', [r.path], r.key, log) : undefined,
    n?.save ? save('native layer-digest', [n.path], n.save, log) : undefined,
    a && a.staged && a.hit !== 'exact' ? save('jar', [a.path], a.key, log) : undefined,
    d && d.hit !== 'exact' && d.hit !== 'off' ? saveDependencies(d, log) : undefined,
    l && l.exported && l.hit !== 'exact' && l.hit !== 'off' ? save('BuildKit layer', [l.path], l.key, log) : undefined,
  ]);
}
