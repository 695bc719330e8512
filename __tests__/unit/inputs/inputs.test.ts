import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPaths, parseBoolean, parseInputs, parseKeyValues, parseList, splitArgs } from '../../../src/inputs/inputs.js';

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('parseInputs', () => {
  it('applies the defaults', () => {
    const i = parseInputs(reader({ images: 'acme/app' }), '/ws');
    expect(i).toMatchObject({ javaTool: 'auto', workingDirectory: '/ws', context: '/ws', file: '/ws/Dockerfile', push: true, dryRun: false, javaArgs: [] });
    expect(i.images[0]).toMatchObject({ name: 'acme/app', registry: 'docker.io', repository: 'acme/app' });
  });

  it('derives context from working-directory and file from context', () => {
    const i = parseInputs(reader({ images: 'a/b', 'working-directory': 'svc' }), '/ws');
    expect([i.workingDirectory, i.context, i.file]).toEqual(['/ws/svc', '/ws/svc', '/ws/svc/Dockerfile']);
    const j = parseInputs(reader({ images: 'a/b', 'working-directory': 'svc', context: '.', file: 'docker/Dockerfile.jvm' }), '/ws');
    expect([j.context, j.file]).toEqual(['/ws', '/ws/docker/Dockerfile.jvm']);
  });

  it.each([
    [{ 'java-tool': 'ant', images: 'a/b' }, "Input 'java-tool': \"ant\" is not one of auto, maven, gradle, none."],
    [{ push: 'yes', images: 'a/b' }, "Input 'push': \"yes\" is not a boolean"],
    [{ images: '' }, "Input 'images': nothing to push to"],
    [{ images: 'a/b', password: 'x' }, "Input 'username': a password is set but no username"],
    [{ images: 'a/b', username: 'u' }, "Input 'password': username \"u\" has no password"],
    [{ images: 'a/b:1.0' }, "Input 'images': \"a/b:1.0\" is not a valid image name: tags go in the `tags` input"],
    [{ images: 'a/b', 'build-args': 'NOEQUALS' }, "Input 'build-args': line 1 \"NOEQUALS\" is not KEY=VALUE."],
    [{ images: 'a/b', secrets: 'bad id=1' }, "Input 'secrets': line 1: the secret id may only hold"],
    [{ images: 'a/b', 'java-args': '"-Dx=1' }, "Input 'java-args': unclosed \" quote"],
    [{ push: 'false', 'cache-mode': 'registry' }, "Input 'cache-mode': registry keeps the cache as <image>:buildcache, but `images` is empty"],
    [{ images: 'a/b', 'cache-mode': 'gha' }, "Input 'cache-mode': \"gha\" is not one of auto, actions, registry."],
    [{ images: 'a/b', rebase: 'yes' }, "Input 'rebase': \"yes\" is not a boolean; use true or false."],
    [{ images: 'a/b', rebase: 'true', push: 'false' }, "Input 'rebase': a rebase writes the rebased image to the registries, but push is false; set push: true (or auto)."],
    [{ images: 'a/b', rebase: 'true', 'push-by-digest': 'true' }, "Input 'rebase': a rebase builds nothing, so it cannot be combined with `push-by-digest`; run it as a step of its own."],
    [{ images: 'a/b', rebase: 'true', load: 'true' }, "Input 'rebase': a rebase builds nothing, so it cannot be combined with `load`"],
  ])('refuses %j', (values, message) => {
    expect(() => parseInputs(reader(values), '/ws')).toThrow(message);
  });

  it('rebase: false by default, true when asked', () => {
    expect(parseInputs(reader({ images: 'a/b' }), '/ws').rebase).toBe(false);
    expect(parseInputs(reader({ images: 'a/b', rebase: 'true', push: 'auto' }), '/ws').rebase).toBe(true);
  });

  it('allows no images when nothing is pushed', () => {
    expect(parseInputs(reader({ push: 'false' }), '/ws').images).toEqual([]);
  });

  it('cache-mode is auto unless set; auto needs no image (it then means the Actions cache)', () => {
    expect(parseInputs(reader({ images: 'a/b' }), '/ws').cacheMode).toBe('auto');
    expect(parseInputs(reader({ push: 'false', 'cache-mode': 'auto' }), '/ws').cacheMode).toBe('auto');
    expect(parseInputs(reader({ images: 'a/b', 'cache-mode': 'registry' }), '/ws').cacheMode).toBe('registry');
  });
});

describe('small parsers', () => {
  it.each([
    ['', true, true],
    ['true', false, true],
    ['False', true, false],
    ['TRUE', false, true],
  ])('parseBoolean(%j, fallback %s) = %s', (raw, fallback, want) => {
    expect(parseBoolean('x', raw, fallback)).toBe(want);
  });

  it('parseList splits on commas and newlines and drops comments', () => {
    expect(parseList('a/b, c/d\n# comment\n\n e/f ')).toEqual(['a/b', 'c/d', 'e/f']);
  });

  it('parseKeyValues keeps = inside values', () => {
    expect(parseKeyValues('build-args', 'A=1\nB=x=y\nC=')).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['C', ''],
    ]);
  });

  it.each([
    ['', []],
    ['-DskipTests=false', ['-DskipTests=false']],
    ['build  -x test', ['build', '-x', 'test']],
    [`-Dmsg="hello world" -Dq='a b'`, ['-Dmsg=hello world', '-Dq=a b']],
    ['-Dx=$HOME `id`', ['-Dx=$HOME', '`id`']],
    ['a\\ b', ['a b']],
    ['""', ['']],
  ])('splitArgs(%j)', (raw, want) => {
    expect(splitArgs('java-args', raw)).toEqual(want);
  });
});

describe('checkPaths', () => {
  const ws = mkdtempSync(path.join(os.tmpdir(), 'ip-inputs-'));
  mkdirSync(path.join(ws, 'app'));
  writeFileSync(path.join(ws, 'app/Dockerfile'), 'FROM scratch\n');

  it('accepts an existing layout', () => {
    expect(() => checkPaths(parseInputs(reader({ images: 'a/b', 'working-directory': 'app' }), ws), ws)).not.toThrow();
  });

  it.each([
    [{ 'working-directory': 'nope' }, "Input 'working-directory': directory \"nope\" does not exist"],
    [{ 'working-directory': 'app', context: 'gone' }, "Input 'context': directory \"gone\" does not exist"],
    [{ 'working-directory': 'app', file: 'app/Dockerfile.prod' }, "Input 'file': no Dockerfile at \"app/Dockerfile.prod\"; add one there or set `file` to its path."],
  ])('refuses %j', (values, message) => {
    expect(() => checkPaths(parseInputs(reader({ images: 'a/b', ...values }), ws), ws)).toThrow(message);
  });
});
