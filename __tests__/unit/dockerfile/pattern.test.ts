import { describe, expect, it } from 'vitest';
import { isIgnored, parseIgnore } from '../../../src/dockerfile/ignore.js';
import { compileIgnore, globMatcher, goClean, matchIgnore, matchTokens, compileGlob } from '../../../src/dockerfile/pattern.js';

// The cases of moby/patternmatcher's patternmatcher_test.go (TestMatches, its multi-pattern cases, TestMatch
// from Go's filepath tests, TestCompile), as data: BuildKit's matcher is the reference for .dockerignore.
// 'exact': the pattern matches the path itself; 'inexact': only a folder above it; 'fail': neither.
type Pass = 'exact' | 'inexact' | 'fail';
const MATCHES: [string, string, Pass][] = [
  ['**', 'file', 'exact'],
  ['**', 'file/', 'exact'],
  ['**/', 'file', 'exact'],
  ['**/', 'file/', 'exact'],
  ['**', '/', 'exact'],
  ['**/', '/', 'exact'],
  ['**', 'dir/file', 'exact'],
  ['**/', 'dir/file', 'exact'],
  ['**', 'dir/file/', 'exact'],
  ['**/', 'dir/file/', 'exact'],
  ['**/**', 'dir/file', 'exact'],
  ['**/**', 'dir/file/', 'exact'],
  ['dir/**', 'dir/file', 'exact'],
  ['dir/**', 'dir/file/', 'exact'],
  ['dir/**', 'dir/dir2/file', 'exact'],
  ['dir/**', 'dir/dir2/file/', 'exact'],
  ['**/dir', 'dir', 'exact'],
  ['**/dir', 'dir/file', 'inexact'],
  ['**/dir2/*', 'dir/dir2/file', 'exact'],
  ['**/dir2/*', 'dir/dir2/file/', 'inexact'],
  ['**/dir2/**', 'dir/dir2/dir3/file', 'exact'],
  ['**/dir2/**', 'dir/dir2/dir3/file/', 'exact'],
  ['**file', 'file', 'exact'],
  ['**file', 'dir/file', 'exact'],
  ['**/file', 'dir/file', 'exact'],
  ['**file', 'dir/dir/file', 'exact'],
  ['**/file', 'dir/dir/file', 'exact'],
  ['**/file*', 'dir/dir/file', 'exact'],
  ['**/file*', 'dir/dir/file.txt', 'exact'],
  ['**/file*txt', 'dir/dir/file.txt', 'exact'],
  ['**/file*.txt', 'dir/dir/file.txt', 'exact'],
  ['**/file*.txt*', 'dir/dir/file.txt', 'exact'],
  ['**/**/*.txt', 'dir/dir/file.txt', 'exact'],
  ['**/**/*.txt2', 'dir/dir/file.txt', 'fail'],
  ['**/*.txt', 'file.txt', 'exact'],
  ['**/**/*.txt', 'file.txt', 'exact'],
  ['a**/*.txt', 'a/file.txt', 'exact'],
  ['a**/*.txt', 'a/dir/file.txt', 'exact'],
  ['a**/*.txt', 'a/dir/dir/file.txt', 'exact'],
  ['a/*.txt', 'a/dir/file.txt', 'fail'],
  ['a/*.txt', 'a/file.txt', 'exact'],
  ['a/*.txt**', 'a/file.txt', 'exact'],
  ['a[b-d]e', 'ae', 'fail'],
  ['a[b-d]e', 'ace', 'exact'],
  ['a[b-d]e', 'aae', 'fail'],
  ['a[^b-d]e', 'aze', 'exact'],
  ['.*', '.foo', 'exact'],
  ['.*', 'foo', 'fail'],
  ['abc.def', 'abcdef', 'fail'],
  ['abc.def', 'abc.def', 'exact'],
  ['abc.def', 'abcZdef', 'fail'],
  ['abc?def', 'abcZdef', 'exact'],
  ['abc?def', 'abcdef', 'fail'],
  ['**/foo/bar', 'foo/bar', 'exact'],
  ['**/foo/bar', 'dir/foo/bar', 'exact'],
  ['**/foo/bar', 'dir/dir2/foo/bar', 'exact'],
  ['abc/**', 'abc', 'fail'],
  ['abc/**', 'abc/def', 'exact'],
  ['abc/**', 'abc/def/ghi', 'exact'],
  ['**/.foo', '.foo', 'exact'],
  ['**/.foo', 'bar.foo', 'fail'],
  ['a(b)c/def', 'a(b)c/def', 'exact'],
  ['a(b)c/def', 'a(b)c/xyz', 'fail'],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', 'exact'],
  ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'exact'],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'exact'],
  ['a\\\\', 'a\\', 'exact'],
  ['a\\*b', 'a*b', 'exact'],
];

const MULTI: [string[], string, boolean][] = [
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [['**', '!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  // the single tests of the same file
  [['*'], 'fileutils.go', true],
  [['*.go'], 'fileutils.go', true],
  [['!fileutils.go', '*.go'], 'fileutils.go', true],
  [['docs', '!docs/README.md'], 'docs/README.md', false],
  [['docs/', '!docs/README.md'], 'docs/README.md', false],
  [['docs/*', '!docs/README.md'], 'docs/README.md', false],
  [['*.go', '!fileutils.go'], 'fileutils.go', false],
  [[], 'any/path/there', false],
  [['docs', '  !docs/README.md'], 'docs/README.md', false],
  [['docs', '!docs/README.md  '], 'docs/README.md', false],
];

// Go's filepath.Match cases as patternmatcher_test.go's TestMatch runs them (a pattern matching a folder above counts)
const GO_MATCH: [string, string, boolean | 'bad'][] = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', true],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', 'bad'],
  ['[-]', '-', 'bad'],
  ['[x-]', 'x', 'bad'],
  ['[x-]', '-', 'bad'],
  ['[x-]', 'z', 'bad'],
  ['[-x]', 'x', 'bad'],
  ['[-x]', '-', 'bad'],
  ['[-x]', 'a', 'bad'],
  ['\\', 'a', 'bad'],
  ['[a-b-c]', 'a', 'bad'],
  ['[', 'a', 'bad'],
  ['[^', 'a', 'bad'],
  ['[^bc', 'a', 'bad'],
  ['a[', 'a', 'bad'],
  ['a[', 'ab', 'bad'],
  ['*x', 'xxx', true],
];

const COMPILE: [string, string][] = [
  ['*', 'regexp'],
  ['file*', 'regexp'],
  ['*file', 'regexp'],
  ['a*/b', 'regexp'],
  ['**', 'suffix'],
  ['**/**', 'regexp'],
  ['dir/**', 'prefix'],
  ['**/dir', 'suffix'],
  ['**/dir2/*', 'regexp'],
  ['**/dir2/**', 'regexp'],
  ['**file', 'suffix'],
  ['**/file*txt', 'regexp'],
  ['**/**/*.txt', 'regexp'],
  ['a[b-d]e', 'regexp'],
  ['.*', 'regexp'],
  ['abc.def', 'exact'],
  ['abc?def', 'regexp'],
  ['**/foo/bar', 'suffix'],
  ['a(b)c/def', 'exact'],
  ['a.|)$(}+{bc', 'exact'],
  ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'exact'],
];

describe("BuildKit's pattern matcher, case by case (moby/patternmatcher's tests)", () => {
  it.each(MATCHES)('%s against %s: %s', (pattern, text, pass) => {
    expect(matchIgnore(compileIgnore(goClean(pattern)), text)).toBe(pass === 'exact');
    expect(isIgnored(parseIgnore(pattern), text)).toBe(pass !== 'fail');
  });

  it.each(MULTI)('%j against %s: excluded %s', (patterns, text, want) => expect(isIgnored(parseIgnore(patterns.join('\n')), text)).toBe(want));

  it.each(GO_MATCH)("Go's filepath.Match case %s against %s: %s", (pattern, text, want) => {
    if (want === 'bad') expect(() => parseIgnore(pattern)).toThrow(/not a pattern BuildKit accepts/);
    else expect(isIgnored(parseIgnore(pattern), text)).toBe(want);
  });

  it.each(COMPILE)('%s is matched as %s', (pattern, type) => expect(compileIgnore(goClean(pattern)).type).toBe(type));

  it('refuses a lone "!" and a malformed pattern, naming the line', () => {
    expect(() => parseIgnore('a\n!\n')).toThrow(/line 2: a "!" with no pattern/);
    expect(() => parseIgnore('ok\n[\n', 'Dockerfile.dockerignore')).toThrow(/Dockerfile.dockerignore line 2: "\[" is not a pattern/);
    // "!/" cleans to "!" on patternmatcher's second clean
    expect(() => parseIgnore('!/')).toThrow(/a "!" with no pattern/);
  });
});

describe('where Go regexp and filepath.Match disagree, BuildKit does what its regexp does, or the pattern is refused', () => {
  it.each([
    ['[!a]b', '!b', true], // Go has no "!" negation in classes: "!" is a member
    ['[!a]b', 'xb', false],
    ['**file', 'myfile', true], // a leading ** is a suffix match, so it needs no "/"
    ['x[/]y', 'x/y', true], // a class may match '/'
    ['a^b', 'a^b', true], // exact: "^" is compared as it is
    ['^a*', 'abc', true], // regexp: a bare "^" is the start of the text
    ['a^b*', 'a^bc', false],
  ])('%s against %s: %s', (pattern, text, want) => expect(isIgnored(parseIgnore(pattern), text)).toBe(want));

  it.each(['a\\d', '[\\w]x', '[*]', '[a?]', '[[]', '[z-a]'])('refuses %s', (pattern) => expect(() => parseIgnore(pattern)).toThrow(/not a pattern BuildKit accepts/));
});

describe('matching time is linear in the path, whatever the pattern', () => {
  // the issue: twelve `**/` against a deep path that does not match took 91 s with a backtracking RegExp
  const pattern = `${'**/'.repeat(12)}*.bak`;
  const deep = `${Array.from({ length: 40 }, (_, i) => `d${i}`).join('/')}/file.txt`;

  it('gives the right answer for a deep path, matching or not', () => {
    const rules = parseIgnore(pattern);
    expect(isIgnored(rules, deep)).toBe(false);
    expect(isIgnored(rules, deep.replace(/txt$/, 'bak'))).toBe(true);
    expect(isIgnored(parseIgnore(`${'**/'.repeat(12)}x/**/y`), `${deep}/x/a/b/z`)).toBe(false);
  });

  it('also for wildcards that Go leaves to its regexp engine, and for COPY globs', () => {
    expect(matchTokens(compileIgnore(`a${'*a'.repeat(30)}b`).tokens, 'a'.repeat(60))).toBe(false);
    expect(globMatcher(`${'*a'.repeat(30)}b`)('a'.repeat(60))).toBe(false);
  });
});

describe('COPY source globs are filepath.Match: `*` and `?` stay in one folder, `**` is `*`', () => {
  it.each([
    ['*.jar', 'app.jar', true],
    ['*.jar', 'target/app.jar', false],
    ['target/*.jar', 'target/app.jar', true],
    ['**/*.jar', 'target/app.jar', true],
    ['**/*.jar', 'a/b/app.jar', false],
    ['app-?.jar', 'app-1.jar', true],
    ['app-[0-9].jar', 'app-7.jar', true],
    ['app-[^0-9].jar', 'app-7.jar', false],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
  ])('%s against %s: %s', (glob, path, want) => expect(globMatcher(glob)(path)).toBe(want));

  it('refuses a malformed glob', () => expect(() => compileGlob('app[.jar')).toThrow());
});

describe("Go's filepath.Clean", () => {
  it.each([
    ['', '.'],
    ['a/../b', 'b'],
    ['../a', '../a'],
    ['/../a', '/a'],
    ['a//b/./c/', 'a/b/c'],
    ['/', '/'],
    ['a/..', '.'],
  ])('%s -> %s', (p, want) => expect(goClean(p)).toBe(want));
});
