/** Dependencies that move upstream, told from the store the build resolved into and, for Gradle, from its scripts. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, test } from 'vitest';
import { movingDependencies } from '../../../src/cache/moving.js';

let top: string;
const put = (rel: string, text = ''): void => {
  mkdirSync(path.dirname(path.join(top, rel)), { recursive: true });
  writeFileSync(path.join(top, rel), text);
};
const git = (...args: string[]): void => void execFileSync('git', args, { cwd: path.join(top, 'project'), stdio: 'ignore' });

beforeEach(() => {
  top = mkdtempSync(path.join(os.tmpdir(), 'ip-moving-'));
  mkdirSync(path.join(top, 'project'));
  git('init', '-q');
});
afterEach(() => rmSync(top, { recursive: true, force: true }));

const m2 = (): string[] => [path.join(top, 'm2')];
const gradle = (): string[] => [path.join(top, 'gradle', 'caches'), path.join(top, 'gradle', 'wrapper')];
const project = (): string => path.join(top, 'project');

describe('a Maven repository', () => {
  it('of release versions only does not move', async () => {
    put('m2/org/springframework/spring-core/6.2.1/spring-core-6.2.1.jar');
    put('m2/org/springframework/spring-core/6.2.1/_remote.repositories');
    expect(await movingDependencies('maven', m2(), project())).toBeUndefined();
  });

  it('that is not there (nothing resolved yet) does not move', async () => {
    expect(await movingDependencies('maven', m2(), project())).toBeUndefined();
  });

  test.each([
    ['a SNAPSHOT', 'com/acme/lib/1.2-SNAPSHOT/lib-1.2-SNAPSHOT.jar', /the SNAPSHOT com\/acme\/lib\/1\.2-SNAPSHOT/],
    ['version metadata (a range, LATEST, an unversioned plugin)', 'com/acme/lib/maven-metadata-central.xml', /version metadata com\/acme\/lib\/maven-metadata-central\.xml/],
  ])('holding %s moves', async (_what, file, why) => {
    put('m2/org/springframework/spring-core/6.2.1/spring-core-6.2.1.jar');
    put(`m2/${file}`);
    expect(await movingDependencies('maven', m2(), project())).toMatch(why);
  });
});

describe('a Gradle build', () => {
  it('with fixed versions and a cache of releases does not move', async () => {
    put('project/build.gradle', "dependencies { implementation 'org.slf4j:slf4j-api:2.0.16' }\nversion = '0.0.1-SNAPSHOT'\n");
    put('gradle/caches/modules-2/files-2.1/org.slf4j/slf4j-api/2.0.16/abc/slf4j-api-2.0.16.jar');
    expect(await movingDependencies('gradle', gradle(), project())).toBeUndefined();
  });

  it('whose cache holds a SNAPSHOT moves', async () => {
    put('project/build.gradle', "dependencies { implementation 'com.acme:lib:1.2-SNAPSHOT' }\n");
    put('gradle/caches/modules-2/files-2.1/com.acme/lib/1.2-SNAPSHOT/abc/lib-1.2-SNAPSHOT.jar');
    expect(await movingDependencies('gradle', gradle(), project())).toMatch(/SNAPSHOT com\.acme\/lib\/1\.2-SNAPSHOT/);
  });

  test.each([
    ['build.gradle', "implementation 'com.acme:lib:1.+'"],
    ['build.gradle', 'implementation "com.acme:lib:+"'],
    ['build.gradle.kts', 'implementation("com.acme:lib:latest.release")'],
    ['build.gradle', "implementation group: 'com.acme', name: 'lib', version: '[1.0,2.0)'"],
    ['sub/build.gradle.kts', 'implementation("com.acme:lib") { version { strictly("[1.0, 2.0[") } }'],
    ['gradle/libs.versions.toml', '[versions]\nlib = "2.+"\n'],
  ])('asking for a dynamic version in %s moves: %s', async (file, line) => {
    put(`project/${file}`, `${line}\n`);
    expect(await movingDependencies('gradle', gradle(), project())).toMatch(/a Gradle script asks for a dynamic version/);
  });

  test.each([["val pattern = Regex(\"a+\")"], ["version = '1.0.0'"], ["implementation 'com.acme:lib:1.0.0'"]])('a fixed script line does not move: %s', async (line) => {
    put('project/build.gradle.kts', `${line}\n`);
    expect(await movingDependencies('gradle', gradle(), project())).toBeUndefined();
  });

  it('outside a git work tree cannot be told, and counts as moving', async () => {
    rmSync(path.join(project(), '.git'), { recursive: true });
    expect(await movingDependencies('gradle', gradle(), project())).toMatch(/could not be looked through/);
  });
});
