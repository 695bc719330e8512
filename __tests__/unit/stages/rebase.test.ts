import { describe, expect, it } from 'vitest';
import { parseImageName } from '../../../src/oci/name.js';
import { rebaseSource } from '../../../src/stages/rebase.js';

describe('rebaseSource: the first tag of the first image', () => {
  const img = (n: string): ReturnType<typeof parseImageName> => parseImageName(n, 'images');
  it('reads the first image’s first tag', () => {
    const targets = [{ image: img('ghcr.io/acme/app'), tags: ['1.2.3', '1.2'] }, { image: img('acme/app'), tags: ['1.2.3', '1.2'] }];
    expect(rebaseSource(targets)).toEqual({ source: targets[0], tag: '1.2.3' });
  });
  it('refuses when the rules give the first image no tag, naming the input', () => {
    expect(() => rebaseSource([{ image: img('acme/app'), tags: [] }])).toThrow("Input 'rebase': the release to rebase is read from the first tag the `tags` rules give acme/app");
  });
});
