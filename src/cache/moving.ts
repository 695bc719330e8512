import { readdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { BuildTool } from '../java/detect.js';
import { grepWorkTree } from './worktree.js';

/**
 * Dependencies that move: a SNAPSHOT, a version range, `LATEST`, a plugin without a version (Maven), `1.+` or
 * `latest.release` (Gradle) resolve to whatever the remote repository holds today, so the same work tree can build
 * another jar tomorrow. For such a build the dependency cache must not stand in for the remote (no offline build,
 * and Maven checks for updates with -U, as on a fresh runner), and no jar cache or image record may stand in for
 * the build. Told from the dependency store as it is (what the build resolved) and, for Gradle, from the scripts.
 */

/** Folders and files looked at before giving up: a repository larger than this counts as moving (it cannot be told). */
const MAX_ENTRIES = 300_000;

/** The first entry under `root` (relative, '/'-separated) that `hit` picks, depth first, at most `maxDepth` deep. Throws past MAX_ENTRIES. */
function findFirst(root: string, hit: (rel: string, dir: boolean) => boolean, maxDepth = Infinity): string | undefined {
  let seen = 0;
  const walk = (rel: string, depth: number): string | undefined => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const e of entries) {
      if (++seen > MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES} entries`);
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (hit(child, e.isDirectory())) return child;
      if (e.isDirectory() && depth < maxDepth) {
        const found = walk(child, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk('', 1);
}

/** A SNAPSHOT version folder, or Maven's version metadata (written for SNAPSHOTs, ranges, LATEST/RELEASE, unversioned plugins). */
function mavenMoving(repo: string): string | undefined {
  const found = findFirst(repo, (rel, dir) => (dir ? rel.endsWith('-SNAPSHOT') : /(^|\/)maven-metadata[^/]*\.xml$/.test(rel)));
  return found && `the Maven repository holds ${found.endsWith('-SNAPSHOT') ? 'the SNAPSHOT' : 'version metadata'} ${found}`;
}

/** A SNAPSHOT among Gradle's downloaded modules (caches/modules-2/files-2.1/<group>/<module>/<version>). */
function gradleSnapshot(caches: string): string | undefined {
  const files = path.join(caches, 'modules-2', 'files-2.1');
  const found = findFirst(files, (rel, dir) => dir && rel.split('/').length === 3 && rel.includes('SNAPSHOT'), 3);
  return found && `Gradle's cache holds the SNAPSHOT ${found}`;
}

/** A dynamic version in a Gradle script or version catalog: `1.+`, `+`, `latest.release`, a range `[1.0,2.0)`. */
const VALUE = `([0-9][0-9A-Za-z.-]*)?\\+|latest\\.[A-Za-z]+|[[(][^'"]*,[^'"]*[])[]`;
const GRADLE_DYNAMIC = `(['"][^'":[:space:]]+:[^'":[:space:]]+:|[=:(][[:space:]]*['"])(${VALUE})['"]`;

async function gradleDynamic(dir: string): Promise<string | undefined> {
  const out = await grepWorkTree(dir, ['-n', '-E', GRADLE_DYNAMIC], ['*.gradle', '*.gradle.kts', '*.versions.toml']);
  const first = out.split('\n').find(Boolean);
  return first && `a Gradle script asks for a dynamic version (${first.slice(0, 200)})`;
}

/**
 * Why this build's dependencies can change without a change to its files, or undefined when they cannot.
 * `paths`: the dependency store (dependencyPaths); `dir`: the project. Never throws: what cannot be told counts as moving.
 */
export async function movingDependencies(tool: BuildTool, paths: readonly string[], dir: string): Promise<string | undefined> {
  try {
    if (tool === 'maven') return mavenMoving(paths[0]);
    return gradleSnapshot(paths[0]) ?? (await gradleDynamic(dir));
  } catch (e) {
    return `its dependencies could not be looked through (${errorMessage(e)})`;
  }
}
