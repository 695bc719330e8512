// The build tool's fast path and the dependency cache of what the build uses, with real Maven on the shaded
// fixture (Debian's /usr/share/maven-repo as the mirror): offline on an exact hit, one online retry when an
// artifact is missing, a cache that drops a dependency the build dropped, and an --offline build from it alone;
// the test-jar fallback on a reactor; both build files in one directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { services, SHADED, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

function commitAll(ws: Workspace, message: string): void {
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: ws.dir, encoding: 'utf8' }).trim();
  git('add', '-A');
  git('commit', '-qm', message);
  ws.sha = git('rev-parse', 'HEAD');
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(file, text.replace(from, to));
}

const LANG3 = '<dependency><groupId>org.apache.commons</groupId><artifactId>commons-lang3</artifactId><version>3.12.0</version></dependency>';
// only with -Pextra: an artifact an exact hit of the cache does not hold
const EXTRA = '<profiles><profile><id>extra</id><dependencies><dependency><groupId>org.apache.commons</groupId><artifactId>commons-text</artifactId><version>1.10.0</version></dependency></dependencies></profile></profiles>';

describe('fast-build with the dependency cache, run after run', () => {
  const repo = uniqueRepo('buildtool');
  let s: Services;
  let svc: CacheService;
  let ws: Workspace;
  const runs: Record<string, ActionRun> = {};
  // the version the pom named; plugins take Debian's own commons-lang3 (version "debian") all along
  const lang3 = (): boolean => existsSync(path.join(m2(), 'org/apache/commons/commons-lang3/3.12.0'));
  let lang3AfterPost = false;
  let lang3AfterOffline = true;
  const m2 = (): string => path.join(ws.env.HOME, '.m2', 'repository');
  const publish = (tag: string, extra: Record<string, string> = {}) =>
    runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, tag),
      env: { ...ws.env, ...svc.env },
      runnerTemp: path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp'),
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, builder: 'native', ...extra },
    });
  // a new runner: no Maven repository, no build output
  const wipe = (): void => {
    rmSync(m2(), { recursive: true, force: true });
    rmSync(path.join(ws.dir, 'target'), { recursive: true, force: true });
  };

  beforeAll(async () => {
    s = services();
    svc = await startCacheService();
    ws = workspace(SHADED);
    const pom = path.join(ws.dir, 'pom.xml');
    edit(pom, '  </dependencies>', `    ${LANG3}\n  </dependencies>\n  ${EXTRA}`);
    // both builds, neither with a wrapper: Maven
    writeFileSync(path.join(ws.dir, 'build.gradle'), "apply plugin: 'java'\n");
    commitAll(ws, 'commons-lang3, a profile, and a build.gradle');
    runs.cold = await publish('v1.0.0');
    wipe();
    runs.retry = await publish('v1.0.1', { 'java-args': '-Pextra' });
    wipe();
    edit(pom, LANG3, '');
    commitAll(ws, 'commons-lang3 dropped');
    runs.dropped = await publish('v1.0.2');
    lang3AfterPost = lang3();
    wipe();
    // nothing can be downloaded any more: the restored cache alone must do
    writeFileSync(path.join(ws.env.HOME, '.m2', 'settings.xml'), '<settings><mirrors><mirror><id>debian</id><mirrorOf>*</mirrorOf><url>file:///nonexistent-mirror</url></mirror></mirrors></settings>\n');
    const main = path.join(ws.dir, 'src/main/java/com/acme/hello/Main.java');
    edit(main, 'hello docker', 'hello, docker');
    commitAll(ws, 'one-line change');
    runs.offline = await publish('v1.0.3');
    lang3AfterOffline = lang3();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('with pom.xml and build.gradle and no wrapper, takes Maven and says why in one line', () => {
    expect(runs.cold.main.code, runs.cold.main.log).toBe(0);
    expect(runs.cold.main.log).toContain('Both pom.xml and build.gradle: using Maven (neither has a wrapper, and Maven comes first); set `java-tool` to choose.');
  });

  it('a cold run builds online, without compiling tests, with the short-build JVM flags', () => {
    expect(JSON.parse(runs.cold.outputs['cache-hit'])).toMatchObject({ dependencies: 'miss' });
    expect(runs.cold.main.log).toMatch(/^\[command\]mvn --batch-mode --no-transfer-progress -DskipTests package -Dmaven\.test\.skip=true .*$/m);
    expect(runs.cold.main.log).not.toMatch(/^\[command\]mvn .* -o$/m);
    expect(runs.cold.main.log).toContain('Fast build (fast-build: true; java-args win): MAVEN_OPTS -XX:TieredStopAtLevel=1; -Dmaven.test.skip=true; online: the dependency cache was a miss.');
    expect(runs.cold.main.log).toContain('Not compiling test sources');
    expect(runs.cold.post.log).toMatch(/dependency cache saved as image-publish-linux-x64-maven-/);
  });

  it('an exact hit builds offline; an artifact the cache lacks gets one online retry, logged', () => {
    const r = runs.retry;
    expect(r.main.code, r.main.log).toBe(0);
    expect(JSON.parse(r.outputs['cache-hit'])).toMatchObject({ dependencies: 'exact' });
    expect(r.main.log).toMatch(/^\[command\]mvn .* -Pextra -o$/m);
    expect(r.main.log).toContain('commons-text:jar:1.10.0 has not been downloaded from it before');
    expect(r.main.log).toContain('missed an artifact the cache does not hold: trying once more online.');
    expect(r.main.log.match(/^\[command\]mvn /gm)).toHaveLength(2);
    expect(r.main.log).toContain('[INFO] BUILD SUCCESS');
  });

  it('after the build dropped a dependency, the saved cache leaves it out', () => {
    const r = runs.dropped;
    expect(r.main.code, r.main.log).toBe(0);
    expect(JSON.parse(r.outputs['cache-hit'])).toMatchObject({ dependencies: 'partial' });
    expect(r.post.code, r.post.log).toBe(0);
    expect(r.post.log).toMatch(/The dependency cache leaves out \d+ of \d+ folders of .* that this build did not read\./);
    expect(r.post.log).toMatch(/dependency cache saved as image-publish-linux-x64-maven-/);
    // set aside only while saving: the runner's repository is whole again
    expect(lang3AfterPost).toBe(true);
  });

  it('the next run builds --offline from that cache alone, which no longer holds the dropped dependency', () => {
    const r = runs.offline;
    expect(r.main.code, r.main.log).toBe(0);
    expect(JSON.parse(r.outputs['cache-hit'])).toMatchObject({ dependencies: 'exact' });
    expect(r.main.log).toMatch(/^\[command\]mvn .* -o$/m);
    expect(r.main.log).not.toContain('trying once more online');
    expect(r.main.log).toContain('[INFO] BUILD SUCCESS');
    expect(lang3AfterOffline).toBe(false);
  });
});

describe('a reactor whose module takes another module\'s test-jar', () => {
  let run: ActionRun;
  beforeAll(async () => {
    const s = services();
    const ws = workspace('__tests__/fixtures/maven-multi');
    const lib = path.join(ws.dir, 'lib');
    writeFileSync(path.join(lib, 'pom.xml'), readFileSync(path.join(lib, 'pom.xml'), 'utf8').replace('</project>', '  <build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-jar-plugin</artifactId><executions><execution><goals><goal>test-jar</goal></goals></execution></executions></plugin></plugins></build>\n</project>'));
    mkdirSync(path.join(lib, 'src/test/java/com/acme/greeting'), { recursive: true });
    writeFileSync(path.join(lib, 'src/test/java/com/acme/greeting/Fixtures.java'), 'package com.acme.greeting;\npublic class Fixtures { public static final String NAME = "test"; }\n');
    const app = path.join(ws.dir, 'app/pom.xml');
    edit(app, '  </dependencies>', '    <dependency><groupId>com.acme</groupId><artifactId>hello-lib</artifactId><version>${project.version}</version><type>test-jar</type><scope>test</scope></dependency>\n  </dependencies>');
    commitAll(ws, 'a test-jar');
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${uniqueRepo('testjar')}`, registry: s.registry, username: s.user, password: s.password, builder: 'native', 'working-directory': 'app' },
    });
  });

  it('compiles the test classes (no -Dmaven.test.skip) and builds', () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain('tests compiled (a module builds or takes a test-jar)');
    expect(run.main.log).not.toContain('-Dmaven.test.skip=true');
    expect(run.main.log).toContain('[INFO] BUILD SUCCESS');
  });
});
