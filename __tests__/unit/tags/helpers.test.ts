/** Date tokens (moment style, Intl time zones), PEP 440 normalisation, the Handlebars subset. */
import { describe, expect, test } from 'vitest';
import { formatDate } from '../../../src/tags/dateformat.js';
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
