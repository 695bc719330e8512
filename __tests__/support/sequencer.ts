import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The end-to-end files that take longest (over ~30 s alone on a 2-core machine), longest first. .ci/test runs the
 * files that share the engine on two workers: a long file that starts last keeps one worker busy while the other
 * idles. Vitest's own order does not know this on a fresh machine (no results cache: larger files first), and each
 * tag-filtered lane writes near-zero durations into that cache for the files it skipped. Only the order changes:
 * a stale list costs time, never a result.
 */
export const HEAVY_FIRST: readonly string[] = ['faults', 'apps', 'jar-cache', 'cache-outage', 'buildtool', 'native-springboot', 'privilege', 'sandbox', 'pipeline'];

/** The name of a test file without folder and `.test.ts`, as HEAVY_FIRST names it. */
export function fileName(moduleId: string): string {
  return path.basename(moduleId).replace(/\.test\.ts$/, '');
}

/** `files` in vitest's order, with the HEAVY_FIRST ones moved to the front in the list's order. Pure. */
export function heavyFirst<T>(files: readonly T[], name: (f: T) => string, heavy: readonly string[] = HEAVY_FIRST): T[] {
  const rank = (f: T): number => {
    const i = heavy.indexOf(name(f));
    return i < 0 ? heavy.length : i;
  };
  return files
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

/** vitest's sequencer (sharding, failed files first when it has a cache), with the heavy files first. */
export class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return heavyFirst(await super.sort(files), (f) => fileName(f.moduleId));
  }
}
