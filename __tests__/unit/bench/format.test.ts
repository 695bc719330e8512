import { describe, expect, it } from 'vitest';
import { bytes, markdownTable, median, ratio, sec, versionTags } from '../../../bench/format.ts';

describe('bench format', () => {
  it('takes the median of odd and even counts, ignoring NaN', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, NaN, 1])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('prints seconds, bytes and ratios, with - for a missing figure', () => {
    expect(sec(1234)).toBe('1.2');
    expect(sec(NaN)).toBe('-');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(13 * 1024)).toBe('13.0 KB');
    expect(bytes(18.8 * 1024 * 1024)).toBe('18.8 MB');
    expect(bytes(NaN)).toBe('-');
    expect(ratio(5100, 5050)).toBe('1.01×');
    expect(ratio(1, NaN)).toBe('-');
    expect(ratio(1, 0)).toBe('-');
  });

  it('gives a semver tag its four tags', () => {
    expect(versionTags('v1.2.3')).toEqual(['1.2.3', '1.2', '1', 'latest']);
  });

  it('pads a markdown table to its widest cell', () => {
    expect(markdownTable([['a', 'bb'], ['long', 'x']])).toBe(['| a    | bb  |', '|------|-----|', '| long | x   |'].join('\n'));
  });
});
