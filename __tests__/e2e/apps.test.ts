// Real Java apps through the whole action, each pushed, pulled by digest, run on the host network, and asked
// GET /hello: the Spring Boot app from Maven Central (through the dependency cache), the Gradle app with its
// wrapper, and one module of a multi-module Maven build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { answerOf } from '../support/containers.ts';
import { branchEvent, tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { registryDigest, services, SPRING_BOOT, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

let s: Services;
/** The test's own Docker client config: the default one is shared with concurrent jobs that log in and out. */
let dockerEnv: NodeJS.ProcessEnv;
const dk = (args: string[], input?: string): string => execFileSync('docker', args, { encoding: 'utf8', input, env: dockerEnv, timeout: 5 * 60 * 1000, stdio: ['pipe', 'pipe', 'pipe'] });
beforeAll(() => {
  s = services();
  dockerEnv = { ...process.env, DOCKER_CONFIG: mkdtempSync(path.join(os.tmpdir(), 'ip-apps-docker-')) };
  dk(['login', '--username', s.user, '--password-stdin', s.registry], s.password);
});
afterAll(() => {
  if (dockerEnv?.DOCKER_CONFIG) rmSync(dockerEnv.DOCKER_CONFIG, { recursive: true, force: true });
});

/** Pulls repo@digest into an engine that has no copy of it, and returns the reference. */
function pullByDigest(repo: string, digest: string): string {
  const ref = `${s.registry}/${repo}@${digest}`;
  const tagged = dk(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', `${s.registry}/${repo}`]).split('\n').filter((r) => r.includes(':') && !r.endsWith(':<none>'));
  if (tagged.length) dk(['image', 'rm', '-f', ...tagged]);
  dk(['pull', ref]);
  return ref;
}

function commitAll(ws: Workspace, message: string): void {
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: ws.dir, encoding: 'utf8' }).trim();
  git('commit', '-qam', message);
  ws.sha = git('rev-parse', 'HEAD');
}

describe('Spring Boot app: dependencies from Maven Central, then from the dependency cache alone', () => {
  const repo = uniqueRepo('spring');
  let svc: CacheService;
  let ws: Workspace;
  let cold: ActionRun;
  let offline: ActionRun;
  let jarEntries: string[];
  const publish = (tag: string, extra: Record<string, string> = {}) =>
    runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, tag),
      env: { ...ws.env, ...svc.env },
      // a fresh RUNNER_TEMP each time, as on a new runner
      runnerTemp: path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp'),
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, ...extra },
    });

  beforeAll(async () => {
    svc = await startCacheService();
    // an empty ~/.m2 and settings that name no mirror: everything comes from Central
    ws = workspace(SPRING_BOOT);
    cold = await publish('v1.0.0');
    jarEntries = Object.keys(unzipSync(readFileSync(path.join(ws.dir, 'target/hello-service-1.0.0.jar')), { filter: (f) => f.name.endsWith('.idx') || f.name.startsWith('META-INF/sbom/') }));
    // a new runner: no Maven repository, no build output; and a changed answer, so the jar cache cannot stand in
    rmSync(path.join(ws.env.HOME, '.m2', 'repository'), { recursive: true, force: true });
    rmSync(path.join(ws.dir, 'target'), { recursive: true, force: true });
    const controller = path.join(ws.dir, 'src/main/java/com/acme/hello/HelloController.java');
    writeFileSync(controller, readFileSync(controller, 'utf8').replace('Hello from image-publish', 'Hello again from image-publish'));
    commitAll(ws, 'a new answer');
    offline = await publish('v1.0.1', { 'java-args': '--offline' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('the cold run downloads from Central, pushes, and saves the dependency cache', () => {
    expect(cold.main.code, cold.main.log).toBe(0);
    expect(cold.post.code, cold.post.log).toBe(0);
    expect(JSON.parse(cold.outputs['cache-hit'])).toMatchObject({ dependencies: 'miss' });
    expect(cold.outputs.artifact).toBe('target/hello-service-1.0.0.jar');
    expect(svc.entries().some((e) => e.key.startsWith('image-publish-linux-x64-maven-'))).toBe(true);
  });

  it('ships the layered Spring Boot jar with its SBOM', () => {
    expect(jarEntries.sort()).toEqual(['BOOT-INF/classpath.idx', 'BOOT-INF/layers.idx', 'META-INF/sbom/', 'META-INF/sbom/application.cdx.json']);
  });

  it('pulls by digest and answers GET /hello', async () => {
    expect(await registryDigest(s, repo, 'v1.0.0')).toBe(cold.outputs.digest);
    expect(await answerOf(pullByDigest(repo, cold.outputs.digest), 'SERVER_PORT', '/hello', dockerEnv)).toBe('Hello from image-publish');
  });

  it('builds the change with Maven --offline from the restored dependencies, and the image answers the new text', async () => {
    expect(offline.main.code, offline.main.log).toBe(0);
    expect(JSON.parse(offline.outputs['cache-hit'])).toMatchObject({ dependencies: 'exact' });
    expect(offline.main.log).toMatch(/^\[command\]mvn .* --offline$/m);
    expect(offline.main.log).toContain('[INFO] BUILD SUCCESS');
    expect(await answerOf(pullByDigest(repo, offline.outputs.digest), 'SERVER_PORT', '/hello', dockerEnv)).toBe('Hello again from image-publish');
  });
});

describe('Gradle app with a gradlew, on a push to main', () => {
  const repo = uniqueRepo('gradle');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = workspace('__tests__/fixtures/gradle-app');
    run = await runAction({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      env: ws.env,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password },
    });
  });

  it('builds with the wrapper and pushes the tag main', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain('[command]./gradlew --no-daemon --console=plain assemble');
    // the fixture's gradlew says so when it runs (it hands over to Debian's Gradle: no distribution download here)
    expect(run.main.log).toContain('gradlew (image-publish test fixture): running the system Gradle');
    expect(run.outputs['tag-names']).toBe('main');
    expect(run.outputs.artifact).toMatch(/^build\/libs\/.*\.jar$/);
    expect(await registryDigest(s, repo, 'main')).toBe(run.outputs.digest);
  });

  it('pulls by digest and answers GET /hello', async () => {
    expect(await answerOf(pullByDigest(repo, run.outputs.digest), 'PORT', '/hello', dockerEnv)).toBe('hello gradle');
  });
});

describe('multi-module Maven build: the app module, which needs the lib module', () => {
  const repo = uniqueRepo('multi');
  let ws: Workspace;
  let run: ActionRun;
  beforeAll(async () => {
    ws = workspace('__tests__/fixtures/maven-multi');
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v2.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, 'working-directory': 'app' },
    });
  });

  it('with working-directory: app, builds the module and lib from the reactor root', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain('--projects app --also-make package');
    // outputs.artifact is relative to the workspace
    expect(run.outputs.artifact).toBe('app/target/hello-app-1.0.0.jar');
    expect(await registryDigest(s, repo, 'v2.0.0')).toBe(run.outputs.digest);
  });

  it('pulls by digest and answers GET /hello with the text from lib', async () => {
    expect(await answerOf(pullByDigest(repo, run.outputs.digest), 'PORT', '/hello', dockerEnv)).toBe('hello from the lib module');
  });

  it('at the root, `artifact` picks the app jar out of the whole reactor', async () => {
    const root = workspace('__tests__/fixtures/maven-multi');
    const local = await runAction({
      workspace: root.dir,
      event: tagEvent(root.sha, 'v2.0.0'),
      env: root.env,
      inputs: { images: `${s.registry}/${uniqueRepo('multi-root')}`, registry: s.registry, username: s.user, password: s.password, push: 'false', artifact: 'app/target/*.jar', file: 'app/Dockerfile' },
    });
    expect(local.main.code, local.main.log).toBe(0);
    expect(local.main.log).toContain('[command]mvn --batch-mode --no-transfer-progress -DskipTests package');
    expect(local.outputs.artifact).toBe('app/target/hello-app-1.0.0.jar');
    expect(await answerOf(local.outputs['image-id'], 'PORT', '/hello', dockerEnv)).toBe('hello from the lib module');
  });
});
