import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/runner.ts';
import { fileName, HEAVY_FIRST, heavyFirst } from '../../support/sequencer.ts';

describe('the e2e order: the heavy files first', () => {
  it('moves the listed files to the front in the list order, and keeps the others in the order given', () => {
    const files = ['/r/__tests__/e2e/a.test.ts', '/r/__tests__/e2e/slow.test.ts', '/r/__tests__/e2e/b.test.ts', '/r/__tests__/e2e/slower.test.ts', '/r/__tests__/e2e/c.test.ts'];
    expect(heavyFirst(files, fileName, ['slower', 'slow']).map(fileName)).toEqual(['slower', 'slow', 'a', 'b', 'c']);
    expect(heavyFirst(files, fileName, [])).toEqual(files);
  });

  // a renamed or removed file would silently drop out of the list
  it.each(HEAVY_FIRST)('names a file that exists: %s', (name) => {
    expect(existsSync(path.join(ROOT, '__tests__/e2e', `${name}.test.ts`))).toBe(true);
  });
});
