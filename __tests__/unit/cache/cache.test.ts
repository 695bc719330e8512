import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencyKey, hitKind, layerKey, mayWriteCache } from '../../../src/cache/keys.js';
import { layerCacheArgs, promoteExport, registryCacheRef } from '../../../src/cache/layers.js';
import { buildFilePatterns, gradleCachePaths, gradleUserHome, mavenRepository, systemProperty } from '../../../src/cache/paths.js';
import { GRADLE_INIT_SCRIPT, mavenReproducibleArgs } from '../../../src/java/reproducible.js';

const linux = { os: 'linux', arch: 'x64' };

describe('cache keys', () => {
  it('dependency key: prefix-os-arch-tool-hash, tool prefix restores', () => {
    expect(dependencyKey(linux, 'maven', 'abc')).toEqual({ key: 'image-publish-linux-x64-maven-abc', restoreKeys: ['image-publish-linux-x64-maven-'] });
    expect(dependencyKey(linux, 'gradle', 'abc').key).toBe('image-publish-linux-x64-gradle-abc');
  });

  it('layer key: one per commit, scoped to images and Dockerfile, order of images irrelevant', () => {
    const a = layerKey(linux, ['b/x', 'a/y'], 'Dockerfile', 'sha1');
    const b = layerKey(linux, ['a/y', 'b/x'], 'Dockerfile', 'sha2');
    expect(a.key).toMatch(/^image-publish-layers-linux-x64-[0-9a-f]{16}-sha1$/);
    expect(a.restoreKeys).toEqual(b.restoreKeys);
    expect(layerKey(linux, ['a/y'], 'Dockerfile', 'sha1').restoreKeys).not.toEqual(a.restoreKeys);
    expect(layerKey(linux, ['b/x', 'a/y'], 'docker/Dockerfile', 'sha1').restoreKeys).not.toEqual(a.restoreKeys);
  });

  it.each([
    ['auto', 'push', true],
    ['auto', 'schedule', true],
    ['auto', 'pull_request', false],
    ['auto', 'pull_request_target', false],
    ['true', 'pull_request', true],
    ['auto', 'workflow_run', false],
    ['auto', 'issue_comment', false],
    ['auto', 'workflow_dispatch', false],
    ['auto', 'merge_group', false],
    ['auto', 'release', false],
    ['auto', '', false],
    ['false', 'push', false],
  ] as const)('cache-write %s on %s -> %s', (mode, event, want) => expect(mayWriteCache(mode, event)).toBe(want));

  it.each([
    ['auto', 'pull_request_target'],
    ['true', 'pull_request_target'],
    ['true', 'push'],
  ] as const)('an untrusted checkout never writes (cache-write %s on %s)', (mode, event) => expect(mayWriteCache(mode, event, true)).toBe(false));

  it('classifies restores', () => {
    expect(hitKind('k-1', 'k-1')).toBe('exact');
    expect(hitKind('k-1', 'k-0')).toBe('partial');
    expect(hitKind('k-1', undefined)).toBe('miss');
  });
});

describe('where the build tools keep their downloads', () => {
  const base = { javaArgs: [], mavenConfig: '', mavenOpts: '', jvmConfig: '', accountHome: '/home/runner' };
  it.each([
    [{}, '/home/runner/.m2/repository'],
    [{ mavenOpts: '-Xmx1g -Duser.home=/tmp/h' }, '/tmp/h/.m2/repository'],
    [{ jvmConfig: '-Duser.home=/opt/u' }, '/opt/u/.m2/repository'],
    [{ javaArgs: ['-Dmaven.repo.local=/r1'] }, '/r1'],
    [{ mavenConfig: '-Dmaven.repo.local=/r2 -B' }, '/r2'],
    [{ mavenOpts: '-Dmaven.repo.local=/r3', jvmConfig: '-Duser.home=/x' }, '/r3'],
  ])('maven %j', (hints, want) => expect(mavenRepository({ ...base, ...hints })).toBe(want));

  it.each([
    [{}, '/home/runner/.gradle'],
    [{ gradleUserHome: '/g' }, '/g'],
    [{ gradleOpts: '-Duser.home=/u' }, '/u/.gradle'],
    [{ javaArgs: ['-g', '/cli'] }, '/cli'],
    [{ javaArgs: ['--gradle-user-home=/cli2'], gradleUserHome: '/g' }, '/cli2'],
  ])('gradle %j', (hints, want) => expect(gradleUserHome({ javaArgs: [], gradleOpts: '', accountHome: '/home/runner', ...hints })).toBe(want));

  it('keeps Gradle caches and wrappers without locks', () => {
    expect(gradleCachePaths('/g')).toEqual(['/g/caches', '/g/wrapper', '!/g/caches/**/*.lock', '!/g/caches/**/gc.properties']);
  });

  it('hashes the files that decide dependencies', () => {
    expect(buildFilePatterns('maven')).toContain('**/pom.xml');
    expect(buildFilePatterns('gradle')).toContain('**/gradle-wrapper.properties');
  });

  it('reads the last -D of a name', () => {
    expect(systemProperty(['-Da=1', '-Db=2', '-Da=3'], 'a')).toBe('3');
    expect(systemProperty(['-Dab=1'], 'a')).toBeUndefined();
  });
});

describe('layer cache flags', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ip-layers-'));
  const dirs = { current: path.join(root, 'cache'), next: path.join(root, 'cache-next') };

  it('exports only when writing, imports only what exists', () => {
    expect(layerCacheArgs('actions', { dirs }, true)).toEqual(['--cache-to', `type=local,dest=${dirs.next},mode=max`]);
    mkdirSync(dirs.current, { recursive: true });
    writeFileSync(path.join(dirs.current, 'index.json'), '{}');
    expect(layerCacheArgs('actions', { dirs }, false)).toEqual(['--cache-from', `type=local,src=${dirs.current}`]);
  });

  it('registry mode uses <image>:buildcache', () => {
    const ref = registryCacheRef('127.0.0.1:5000/team/app');
    expect(layerCacheArgs('registry', { ref }, true)).toEqual(['--cache-from', 'type=registry,ref=127.0.0.1:5000/team/app:buildcache', '--cache-to', 'type=registry,ref=127.0.0.1:5000/team/app:buildcache,mode=max']);
  });

  it('the new export replaces the old cache', () => {
    writeFileSync(path.join(dirs.current, 'stale-blob'), 'x');
    expect(promoteExport(dirs)).toBe(false);
    mkdirSync(dirs.next, { recursive: true });
    writeFileSync(path.join(dirs.next, 'index.json'), '{"new":true}');
    expect(promoteExport(dirs)).toBe(true);
    expect(existsSync(path.join(dirs.current, 'stale-blob'))).toBe(false);
    expect(existsSync(dirs.next)).toBe(false);
  });
});

describe('reproducible builds', () => {
  const date = new Date('2026-11-01T12:00:00.000Z');
  it('gives Maven the commit time unless the pom sets one', () => {
    expect(mavenReproducibleArgs('<project/>', date)).toEqual(['-Dproject.build.outputTimestamp=2026-11-01T12:00:00Z']);
    expect(mavenReproducibleArgs('<properties><project.build.outputTimestamp>1</project.build.outputTimestamp></properties>', date)).toEqual([]);
  });
  it('turns off Gradle archive timestamps', () => {
    expect(GRADLE_INIT_SCRIPT).toContain('preserveFileTimestamps = false');
    expect(GRADLE_INIT_SCRIPT).toContain('reproducibleFileOrder = true');
  });
});
