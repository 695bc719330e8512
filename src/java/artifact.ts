import path from 'node:path';
import { InputError, StageError } from '../errors.js';
import { checkRegular, RefusedFileError } from '../untrusted/file.js';
import { globBase } from '../inputs/workspace.js';
import { isInside } from '../untrusted/paths.js';

/** Jars a build makes beside the runnable one. */
const NOT_RUNNABLE = [/-plain\.jar$/, /-sources\.jar$/, /-javadoc\.jar$/, /-tests?\.jar$/, /^original-.*\.jar$/];

export function isRunnableJar(file: string): boolean {
  const base = path.basename(file);
  return base.endsWith('.jar') && !NOT_RUNNABLE.some((re) => re.test(base));
}

/**
 * Picks the one runnable jar. `explicit` is true when the user's `artifact` glob produced the candidates:
 * then a single match counts whatever its name, since the user chose it, and of several matches the
 * by-products (`original-*` beside a shaded jar, `*-plain`) drop out, so `app/target/*.jar` works.
 */
export function chooseArtifact(candidates: readonly string[], explicit: boolean, where: string): string {
  const sorted = [...new Set(candidates)].sort();
  const filtered = sorted.filter(isRunnableJar);
  const runnable = explicit && (sorted.length === 1 || filtered.length === 0) ? sorted : filtered;
  if (runnable.length === 1) return runnable[0];
  if (runnable.length === 0) {
    throw new InputError(
      'artifact',
      explicit
        ? `no file matches it in ${where}; check the glob against the build output.`
        : `the build produced no runnable jar in ${where}${sorted.length ? ` (only ${sorted.join(', ')})` : ''}; set \`artifact\` to a glob for your jar.`,
    );
  }
  throw new InputError(
    'artifact',
    `${runnable.length} jars match in ${where}: ${runnable.join(', ')}; set \`artifact\` to a glob that picks one, e.g. \`artifact: ${path.join(path.dirname(runnable[0]), path.basename(runnable[0]))}\`.`,
  );
}

/**
 * Where the jar must lie: the working directory, or the workspace for an `artifact` glob that starts outside the
 * working directory (the user chose it, and inputs/workspace.ts keeps it in the workspace); anywhere with
 * allow-outside-workspace.
 */
export function artifactRoot(p: { workingDirectory: string; workspace: string; artifact: string; allowOutsideWorkspace: boolean }): string | undefined {
  if (!p.artifact || isInside(p.workingDirectory, path.resolve(p.workingDirectory, globBase(p.artifact)))) return p.workingDirectory;
  return p.allowOutsideWorkspace ? undefined : p.workspace;
}

/**
 * The jar is what the build left, so it is data: taken only as a regular file inside `root`, links resolved. A
 * build may leave target/app.jar -> ~/.docker/config.json, a FIFO or /dev/zero, and the jar goes into the image.
 */
export function checkArtifact(jar: string, root: string | undefined, workspace: string): string {
  try {
    checkRegular(jar, { root, name: path.relative(workspace, jar) });
    return jar;
  } catch (e) {
    if (!(e instanceof RefusedFileError)) throw e;
    throw new StageError(
      'java',
      `The jar ${e.message}. The image takes only a jar the build wrote as a regular file inside ${root ?? 'the file system'}; make the build write the jar itself there, or set \`artifact\` to one that is.`,
    );
  }
}
