import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKeyValueLines } from '../../../src/inputs/keyvalues.js';
import { checkNetwork, checkTarget } from '../../../src/inputs/preflight.js';
import { decidePush } from '../../../src/inputs/push.js';
import { checkArtifactInContext, checkInWorkspace, globBase } from '../../../src/inputs/workspace.js';
import { readModel, stageNames } from '../../../src/dockerfile/model.js';
import { parseDockerConfig } from '../../../src/engine/docker-config.js';
import { registriesWithoutLogin } from '../../../src/registry/anonymous.js';
import { ignoredAttributes } from '../../../src/tags/attrs.js';
import { parseTagRules } from '../../../src/tags/index.js';
import { parseInputs } from '../../../src/inputs/inputs.js';

describe('labels and annotations', () => {
  it.each([
    ['labels', ['=novalue'], "Input 'labels': line 1 \"=novalue\" has no key before '='"],
    ['labels', ['a=1', ' = x'], "Input 'labels': line 2 \"= x\" has no key before '='"],
    ['annotations', ['manifest:=x'], "Input 'annotations': line 1 \"manifest:=x\" has no key before '='"],
    ['annotations', ['index,manifest[linux/amd64]:=x'], 'has no key before'],
  ] as const)('%s %j is refused', (input, lines, message) => expect(() => checkKeyValueLines(input, lines)).toThrow(message));

  it('warns on what metadata-action drops: a line without =, as a continuation line is', () => {
    expect(checkKeyValueLines('labels', ['org.opencontainers.image.description=first line', '  and the rest', '# comment', '', 'a=b'])).toEqual([
      "Input 'labels': line 2 \"and the rest\" has no '=' and is dropped (a label is one key=value a line; a value cannot go on over several lines).",
    ]);
    expect(checkKeyValueLines('annotations', ['manifest:org.x=1', 'just-a-key'])).toEqual(["Input 'annotations': line 2 \"just-a-key\" has no '=' and is dropped (an annotation is [level:]key=value)."]);
    expect(checkKeyValueLines('labels', ['a=', 'b=c=d', 'x={{date "YYYY"}}'])).toEqual([]);
  });
});

describe('network and target', () => {
  it.each(['', 'default', 'none', 'host', ' host '])('network %j is taken', (n) => expect(checkNetwork(n)).toBe(n.trim()));
  it.each(['bridge', 'container:x', 'my-net', 'HOST'])('network %j is refused', (n) => expect(() => checkNetwork(n)).toThrow(`Input 'network': "${n}" is not a network mode for RUN steps; use one of default, none, host`));

  const dockerfile = 'FROM maven:3 AS Build\nRUN x\nFROM --platform=$BUILDPLATFORM base AS runtime\n# FROM x AS commented\nFROM scratch\n';
  it('reads the stage names', () => expect(stageNames(readModel(dockerfile))).toEqual(['build', 'runtime']));
  it('takes a stage the Dockerfile names, in any case', () => {
    expect(() => checkTarget('', readModel(dockerfile), 'Dockerfile')).not.toThrow();
    expect(() => checkTarget('BUILD', readModel(dockerfile), 'Dockerfile')).not.toThrow();
  });
  it('refuses another, listing the stages', () => {
    expect(() => checkTarget('prod', readModel(dockerfile), 'Dockerfile')).toThrow(`Input 'target': "prod" is not a stage of Dockerfile: its stages are build, runtime.`);
    expect(() => checkTarget('prod', readModel('FROM x\n'), 'docker/Dockerfile')).toThrow('it names no stage (write FROM <image> AS <name>)');
  });
});

describe('paths in the workspace', () => {
  it.each([
    ['target/*.jar', 'target'],
    ['target/app.jar', 'target'],
    ['*.jar', '.'],
    ['../prebuilt/**/*.jar', '../prebuilt'],
    ['/opt/jars/a-*.jar', '/opt/jars'],
  ])('globBase(%j) = %j', (glob, base) => expect(globBase(glob)).toBe(base));

  const top = mkdtempSync(path.join(os.tmpdir(), 'ip-ws-check-'));
  const ws = path.join(top, 'ws');
  mkdirSync(path.join(ws, 'docker'), { recursive: true });
  symlinkSync('/etc', path.join(ws, 'etc-link'));
  const base = { workspace: ws, workingDirectory: ws, context: ws, file: path.join(ws, 'Dockerfile'), artifact: '', allowOutsideWorkspace: false };

  it.each([
    ['file', { file: path.resolve(ws, '../../../etc/passwd') }],
    ['file', { file: path.join(ws, 'etc-link/passwd') }],
    ['context', { context: path.resolve(ws, '..') }],
    ['artifact', { artifact: '../prebuilt/*.jar' }],
  ])('refuses %s outside the workspace', (input, change) => {
    expect(() => checkInWorkspace({ ...base, ...change })).toThrow(`Input '${input}':`);
    expect(() => checkInWorkspace({ ...base, ...change })).toThrow('set `allow-outside-workspace: true`');
    expect(() => checkInWorkspace({ ...base, ...change, allowOutsideWorkspace: true })).not.toThrow();
  });
  it('takes paths inside', () => expect(() => checkInWorkspace({ ...base, file: path.join(ws, 'docker/Dockerfile'), artifact: 'target/*.jar' })).not.toThrow());

  it('blames artifact, not context, for a jar outside the context', () => {
    expect(() => checkArtifactInContext({ workingDirectory: ws, context: path.join(ws, 'docker'), artifact: 'target/*.jar' })).toThrow(`Input 'artifact': "target/*.jar" points outside the build context`);
    expect(() => checkArtifactInContext({ workingDirectory: ws, context: ws, artifact: 'target/*.jar' })).not.toThrow();
    expect(() => checkArtifactInContext({ workingDirectory: ws, context: path.join(ws, 'docker'), artifact: '' })).not.toThrow();
  });
});

describe('push with no tag', () => {
  const rules = ['type=semver,pattern={{version}}'];
  it('push: true fails naming the ref and the rules', () => {
    expect(() => decidePush({ push: true, auto: false }, [], 'refs/heads/main', rules)).toThrow(
      "Input 'tags': no tag results for refs/heads/main from the rules type=semver,pattern={{version}}, so there is nothing to push.",
    );
  });
  it('push: auto builds only, with a notice', () => {
    expect(decidePush({ push: true, auto: true }, [], 'refs/heads/main', rules)).toEqual({ push: false, notice: 'No tag results for refs/heads/main from the rules type=semver,pattern={{version}}: the image is built but not pushed (push: auto).' });
  });
  it.each([
    [{ push: true, auto: false }, ['a/b:1'], true],
    [{ push: true, auto: true }, ['a/b:1'], true],
    [{ push: false, auto: false }, [], false],
    [{ push: false, auto: true }, [], false],
  ])('%j with %j pushes: %s', (intent, tags, want) => expect(decidePush(intent, tags, 'refs/tags/v1', rules).push).toBe(want));

  it('parses push: auto', () => {
    expect(parseInputs((n) => ({ images: 'a/b', push: 'auto' })[n] ?? '', '/ws')).toMatchObject({ push: true, pushAuto: true });
    expect(parseInputs((n) => ({ images: 'a/b' })[n] ?? '', '/ws')).toMatchObject({ push: true, pushAuto: false });
  });
});

describe('warnings for what is dropped', () => {
  it('an attribute the rule type ignores', () => {
    const rules = parseTagRules(['type=semver,pattern={{version}},evnt=tag', 'type=ref,event=branch', 'type=sha,format=long,foo=1,bar=2']);
    expect(ignoredAttributes(rules)).toEqual([
      'Input \'tags\': line 1 "type=semver,pattern={{version}},evnt=tag": type=semver ignores "evnt"; known attributes: type, enable, priority, prefix, suffix, pattern, value, match, floating.',
      'Input \'tags\': line 3 "type=sha,format=long,foo=1,bar=2": type=sha ignores "foo", "bar"; known attributes: type, enable, priority, prefix, suffix, format, pr.',
    ]);
    expect(ignoredAttributes(parseTagRules([]))).toEqual([]);
  });

  it('the same image twice, and a registry name with a path', () => {
    const i = parseInputs((n) => ({ images: 'ghcr.io/a/b\nGHCR.io/a/b\nacme/app', registry: 'ghcr.io/a', username: 'u', password: 'p' })[n] ?? '', '/ws');
    expect(i.images.map((x) => x.name)).toEqual(['ghcr.io/a/b', 'acme/app']);
    expect(i.logins[0].registry).toBe('ghcr.io');
    expect(i.warnings).toEqual([
      "Input 'images': ghcr.io/a/b is listed twice; it is pushed once.",
      `Input 'registry': "ghcr.io/a" has a path; a login holds for the whole registry, so ghcr.io is used and "/a" is ignored.`,
    ]);
  });
});

describe('registries without a login', () => {
  const config = (json: string) => parseDockerConfig(json, '/cfg');
  it('reads what a Docker config holds', () => {
    const wanted = ['docker.io', '127.0.0.1:5000', 'ghcr.io', 'quay.io'];
    expect(registriesWithoutLogin(wanted, [], config('{"auths":{"https://index.docker.io/v1/":{},"127.0.0.1:5000":{}},"credHelpers":{"GHCR.io":"gh"}}'))).toEqual(['quay.io']);
    expect(registriesWithoutLogin(wanted, [], config('{"credsStore":"desktop"}'))).toEqual([]);
    expect(registriesWithoutLogin(wanted, [], config('not json'))).toEqual(wanted);
  });
  it('with the job’s own logins, only those count', () => {
    const cfg = config('{"auths":{"b.io":{}}}');
    expect(registriesWithoutLogin(['a.io', 'b.io', 'a.io'], ['a.io'], cfg)).toEqual(['b.io']);
    expect(registriesWithoutLogin(['a.io', 'b.io'], [], cfg)).toEqual(['a.io']);
    expect(registriesWithoutLogin(['a.io'], [], config('{}'))).toEqual(['a.io']);
  });
});
