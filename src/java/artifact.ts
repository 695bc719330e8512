import path from 'node:path';
import { InputError } from '../errors.js';

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
