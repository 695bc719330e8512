import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ignoreFileFor, isIgnored, mayReinclude, parseIgnore, readIgnoreLines } from '../../../src/dockerfile/ignore.js';

describe('the ignore file BuildKit reads for a Dockerfile', () => {
  const ctx = '/repo';
  it.each([
    ['the Dockerfile-specific file wins, and .dockerignore is then not read', '/repo/Dockerfile', ['/repo/Dockerfile.dockerignore', '/repo/.dockerignore'], '/repo/Dockerfile.dockerignore'],
    ['named after the Dockerfile, next to it', '/repo/docker/app.Dockerfile', ['/repo/docker/app.Dockerfile.dockerignore', '/repo/.dockerignore'], '/repo/docker/app.Dockerfile.dockerignore'],
    ['another Dockerfile\'s file is not it', '/repo/docker/app.Dockerfile', ['/repo/Dockerfile.dockerignore', '/repo/.dockerignore'], '/repo/.dockerignore'],
    ['nor one at the context root for a Dockerfile elsewhere', '/repo/docker/Dockerfile', ['/repo/Dockerfile.dockerignore'], undefined],
    ['.dockerignore at the context root otherwise', '/repo/Dockerfile', ['/repo/.dockerignore'], '/repo/.dockerignore'],
    ['not a .dockerignore next to a Dockerfile in a subfolder', '/repo/docker/Dockerfile', ['/repo/docker/.dockerignore'], undefined],
    ['a Dockerfile outside the context keeps its own file', '/elsewhere/Dockerfile', ['/elsewhere/Dockerfile.dockerignore', '/repo/.dockerignore'], '/elsewhere/Dockerfile.dockerignore'],
    ['none at all', '/repo/Dockerfile', [], undefined],
  ])('%s', (_, dockerfile, present, want) => {
    const exists = (f: string): boolean => present.includes(path.normalize(f));
    expect(ignoreFileFor(ctx, dockerfile, exists)).toBe(want);
  });
});

describe('ignorefile.ReadAll, as moby/patternmatcher tests it', () => {
  it('trims, drops comments and empty lines, makes /paths relative, keeps "!"', () => {
    const text = 'test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ';
    expect(readIgnoreLines(text).map((l) => l.pattern)).toEqual(['test1', 'test2', 'a/file/here', 'lastfile', '!inverted/abs/path', '!', '!']);
  });

  it.each([
    ['\uFEFFsecret.env\r\n', ['secret.env']],
    ['  # not a comment: only column 1 starts one\n', ['# not a comment: only column 1 starts one']],
    ['a/../b\n./c/\n/\n', ['b', 'c', '/']],
    ['\t*.log \u0085\n', ['*.log']],
  ])('%j', (text, want) => expect(readIgnoreLines(text).map((l) => l.pattern)).toEqual(want));
});

describe('verdicts as the context walk gives them: in order, last match decides, a folder holds for its contents', () => {
  const rules = parseIgnore('# comment\ntarget\n!target/*.jar\n**/*.md\n!docs/keep/**\n/secret\nconf/\n!conf/app.yml\n');
  it.each([
    ['target/classes/A.class', true],
    ['target/app.jar', false],
    ['docs/x/readme.md', true],
    ['docs/keep/readme.md', false],
    ['readme.md', true],
    ['secret', true],
    ['secret/inner', true],
    ['src/secret', false],
    ['conf/app.yml', false],
    ['conf/other.yml', true],
    ['pom.xml', false],
  ])('%s ignored: %s', (p, want) => expect(isIgnored(rules, p)).toBe(want));

  it('walks into an excluded folder only when a "!" pattern could bring something back from it', () => {
    expect(mayReinclude(rules, 'target')).toBe(true); // !target/*.jar has a wildcard: any folder may hold a match
    expect(mayReinclude(parseIgnore('target\n.git\n'), 'target')).toBe(false);
    expect(mayReinclude(parseIgnore('conf\n!conf/app.yml\n'), 'conf')).toBe(true);
    expect(mayReinclude(parseIgnore('conf\n!conf/app.yml\n.git\n'), '.git')).toBe(false);
    expect(mayReinclude(parseIgnore('conf\n!conf/sub/**\n'), 'conf/sub')).toBe(true);
  });
});
