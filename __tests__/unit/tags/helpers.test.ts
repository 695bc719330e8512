/** Date tokens (moment-timezone, as metadata-action formats them), PEP 440 normalisation, the Handlebars subset. */
import { describe, expect, test } from 'vitest';
import { formatDate } from '../../../src/tags/context.js';
import { cleanPep440, parsePep440 } from '../../../src/tags/pep440.js';
import { isRawStatement, render } from '../../../src/tags/template.js';

const d = new Date('2020-01-10T00:30:05.123Z');

describe('formatDate', () => {
  test.each([
    ['YYYYMMDD', 'UTC', '20200110'],
    ['YYYY-MM-DDTHH:mm:ss.SSS[Z]', 'UTC', '2020-01-10T00:30:05.123Z'],
    ['YYYYMMDD-HHmmss', 'Asia/Tokyo', '20200110-093005'],
    ['YY.M.D h:mm A', 'America/New_York', '20.1.9 7:30 PM'],
    ['Z|ZZ', 'Asia/Kolkata', '+05:30|+0530'],
    ['dddd Do MMM Q DDDD X', 'UTC', 'Friday 10th Jan 1 010 1578616205'],
  ])('%s in %s', (fmt, tz, out) => expect(formatDate(d, fmt, tz)).toBe(out));

  const newYear = new Date('2021-01-01T12:00:00.000Z');
  test.each([
    // ISO week 2 of 2020; the en locale's week (Sunday first) is week 2 too; E is ISO, e the locale's day
    [d, 'W WW w wo e E', 'UTC', '2 02 2 2nd 5 5'],
    // 1 January 2021 is in ISO week 53 of 2020, but in week 1 of 2021 for the en locale
    [newYear, 'GGGG-[W]WW gggg-ww', 'UTC', '2020-W53 2021-01'],
    [d, 'L LL LLL LT', 'Asia/Tokyo', '01/10/2020 January 10, 2020 January 10, 2020 9:30 AM 9:30 AM'],
    [d, 'LTS l ll z', 'Asia/Tokyo', '9:30:05 AM 1/10/2020 Jan 10, 2020 JST'],
    [d, 'z Z', 'Europe/Berlin', 'CET +01:00'],
    // no pattern: moment's default format, with Z for UTC
    [d, undefined, 'UTC', '2020-01-10T00:30:05Z'],
    [d, undefined, 'Europe/Berlin', '2020-01-10T01:30:05+01:00'],
  ] as Array<[Date, string | undefined, string, string]>)('week and locale tokens: %$ %s in %s', (date, fmt, tz, out) => expect(formatDate(date, fmt, tz)).toBe(out));
});

describe('pep440', () => {
  test.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3rc2', '1.2.3rc2'],
    ['1.2.3beta2', '1.2.3b2'],
    ['1.2.3post1', '1.2.3.post1'],
    ['1.0dev4', '1.0.dev4'],
    ['1.0-preview', '1.0rc0'],
    ['1.2.3-beta.67', '1.2.3b67'],
    ['2!1.0_c1.post2.dev3+ubuntu-1', '2!1.0rc1.post2.dev3+ubuntu.1'],
  ])('%s -> %s', (input, clean) => {
    const v = parsePep440(input);
    expect(v && cleanPep440(v)).toBe(clean);
  });
  test.each(['1.2.3-foo', 'sometag', '1..2'])('%s is invalid', input => expect(parsePep440(input)).toBeUndefined());
});

describe('template', () => {
  test.each([
    ['{{ raw }}', true],
    ['{{raw}}', true],
    ['{{{raw}}}', true],
    ['{{ raw }}.{{ version }}', false],
    ['v{{raw}}', false],
  ])('isRawStatement(%s) = %s', (p, r) => expect(isRawStatement(p)).toBe(r));

  test('escaping, triple-stash, unknown names, comments, escaped mustache', () => {
    const scope = { a: 'x=y&z', n: 0, f: () => 'F' };
    expect(render('{{a}}|{{{a}}}|{{b}}|{{n}}|{{f}}|{{! c }}|\\{{a}}', scope)).toBe('x&#x3D;y&amp;z|x=y&z||0|F||{{a}}');
    expect(() => render('{{a', scope)).toThrow(/unclosed/);
    expect(() => render("{{a 'x'}}", scope)).toThrow(/missing helper/);
  });
});
