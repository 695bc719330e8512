// @module-tag engine-settings (`docker builder prune -af` for a fresh runner, and it removes the engine's copy of the shared base image: runs alone)
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { classicStore, docker, PREBUILT, prebuiltWorkspace, registryDigest, registryManifest, registryTags, services, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

/** Whether BuildKit's plain log marks the step that starts with `title` as CACHED. */
/** Whether BuildKit's plain progress says CACHED for the step of this instruction (`COPY …`, `RUN …`), whatever its [n/m]. */
function stepCached(log: string, instruction: string): boolean {
  const step = /^(#\d+) \[(?:[^\]]+ )?\d+\/\d+\] (.*)$/;
  const id = log.split('\n').map((l) => step.exec(l)).find((m) => m?.[2].startsWith(instruction))?.[1];
  return id !== undefined && log.split('\n').includes(`${id} CACHED`);
}

function commitAll(ws: Workspace, message: string): void {
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: ws.dir, encoding: 'utf8' }).trim();
  git('commit', '-qam', message);
  ws.sha = git('rev-parse', 'HEAD');
}

const REGISTRY_BLOBS = '/tmp/image-publish-ci/registry-http-data/docker/registry/v2/blobs/sha256';

/** Every blob the registry stores (layers, configs and manifests alike), by digest, with its data file. */
function blobs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of readdirSync(REGISTRY_BLOBS)) for (const b of readdirSync(path.join(REGISTRY_BLOBS, d))) out.set(b, path.join(REGISTRY_BLOBS, d, b, 'data'));
  return out;
}

/** The digests a repository links to (layers, configs, manifests): other tests push to the same registry meanwhile. */
function repoDigests(repo: string): Set<string> {
  const top = path.join(REGISTRY_BLOBS, '../../repositories', repo);
  const list = (d: string): string[] => {
    try {
      return readdirSync(path.join(top, d));
    } catch {
      return [];
    }
  };
  return new Set([...list('_layers/sha256'), ...list('_manifests/revisions/sha256')]);
}

function isJson(file: string): boolean {
  try {
    JSON.parse(readFileSync(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** What a fresh runner lacks: images, build cache, the Maven repository, RUNNER_TEMP's contents. */
function wipeRunner(ws: Workspace, runnerTemp: string, s: Services, repo: string): void {
  const refs = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter((r) => r.startsWith(`${s.registry}/${repo}:`) || r.startsWith(s.baseImage));
  if (refs.length) docker(['image', 'rm', '-f', ...refs]);
  docker(['builder', 'prune', '-af']);
  rmSync(path.join(ws.env.HOME, '.m2', 'repository'), { recursive: true, force: true });
  rmSync(runnerTemp, { recursive: true, force: true });
  rmSync(path.join(ws.dir, 'target'), { recursive: true, force: true });
}


describe('caches across runs: the same commit again, then a one-line change', () => {
  const repo = uniqueRepo('cache');
  let s: Services;
  let svc: CacheService;
  let ws: Workspace;
  let runnerTemp: string;
  let cold: ActionRun;
  let warm: ActionRun;
  let changed: ActionRun;
  let blobsBefore: Map<string, string>;
  let blobsAfterWarm: Map<string, string>;
  // the classic store's own builder keeps no layer cache in the Actions cache: it goes inline in the image
  let classic: boolean;
  const layers = (hit: string): string => (classic ? 'off' : hit);

  const publish = (tag: string) =>
    runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, tag),
      env: { ...ws.env, ...svc.env },
      runnerTemp,
      // RUN steps need the host network on this engine (no bridge)
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, network: 'host' },
    });

  beforeAll(async () => {
    s = services();
    classic = classicStore();
    svc = await startCacheService();
    ws = workspace('__tests__/fixtures/maven-shaded');
    // a RUN step: the work a layer cache is for
    appendFileSync(path.join(ws.dir, 'Dockerfile'), 'RUN echo "built from $JAR_FILE" > /build-info.txt\n');
    commitAll(ws, 'a RUN step');
    runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp');
    cold = await publish('v1.0.0');
    wipeRunner(ws, runnerTemp, s, repo);
    // Anything Maven still needs to download must now fail: the mirror points nowhere.
    writeFileSync(path.join(ws.env.HOME, '.m2', 'settings.xml'), '<settings><mirrors><mirror><id>debian</id><mirrorOf>*</mirrorOf><url>file:///nonexistent-mirror</url></mirror></mirrors></settings>\n');
    blobsBefore = blobs();
    warm = await publish('v1.0.1');
    blobsAfterWarm = blobs();
    wipeRunner(ws, runnerTemp, s, repo);
    const main = path.join(ws.dir, 'src/main/java/com/acme/hello/Main.java');
    writeFileSync(main, readFileSync(main, 'utf8').replace('hello docker', 'hello, docker'));
    commitAll(ws, 'one-line change');
    changed = await publish('v1.0.2');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('the cold run misses, publishes, and saves the jar, dependency and layer caches in post', () => {
    expect(cold.main.code, cold.main.log).toBe(0);
    expect(JSON.parse(cold.outputs['cache-hit'])).toEqual({ jar: 'miss', dependencies: 'miss', layers: layers('miss'), image: 'off' });
    expect(cold.post.code, cold.post.log).toBe(0);
    const keys = svc.entries().map((e) => e.key);
    expect(keys.some((k) => k.startsWith('image-publish-linux-x64-maven-'))).toBe(true);
    expect(keys.some((k) => k.startsWith('image-publish-layers-linux-x64-'))).toBe(!classic);
    expect(keys.some((k) => k.startsWith('image-publish-jar-linux-x64-'))).toBe(true);
  });

  it('the same commit again takes its jar from the cache and runs no Maven', () => {
    expect(warm.main.code, warm.main.log).toBe(0);
    expect(JSON.parse(warm.outputs['cache-hit'])).toEqual({ jar: 'exact', dependencies: 'off', layers: layers('exact'), image: 'off' });
    expect(warm.main.log).toContain('the maven build is skipped');
    expect(warm.main.log).not.toContain('[INFO] BUILD SUCCESS');
  });

  it('every Dockerfile step is a cache hit and the layers are the same', async () => {
    expect(stepCached(warm.main.log, 'COPY target/hello-service-1.0.0.jar app.jar')).toBe(true);
    expect(stepCached(warm.main.log, 'RUN echo')).toBe(true);
    expect(stepCached(cold.main.log, 'RUN echo')).toBe(false);
    expect(await registryDigest(s, repo, 'v1.0.1')).toBe(warm.outputs.digest);
    const [a, b] = [await registryManifest(s, repo, 'v1.0.0'), await registryManifest(s, repo, 'v1.0.1')];
    expect(b.layers).toEqual(a.layers);
    // the version label differs, so the config does
    expect(b.config.digest).not.toBe(a.config.digest);
  });

  it('the registry receives no new layer blob: only the new config and manifest, a few KB', () => {
    const ours = repoDigests(repo);
    const added = [...blobsAfterWarm].filter(([digest]) => !blobsBefore.has(digest) && ours.has(digest));
    expect(added.length).toBeLessThanOrEqual(2);
    for (const [, file] of added) expect(isJson(file), file).toBe(true);
    expect(added.reduce((n, [, file]) => n + statSync(file).size, 0)).toBeLessThan(64 * 1024);
  });

  it('an exact hit saves nothing new', () => {
    expect(warm.post.log).not.toMatch(/cache saved as/);
  });

  it('a one-line change builds with the restored dependencies, downloading nothing', async () => {
    expect(changed.main.code, changed.main.log).toBe(0);
    expect(JSON.parse(changed.outputs['cache-hit'])).toEqual({ jar: 'miss', dependencies: 'exact', layers: layers('partial'), image: 'off' });
    expect(changed.main.log).toContain('[INFO] BUILD SUCCESS');
    const [a, c] = [await registryManifest(s, repo, 'v1.0.0'), await registryManifest(s, repo, 'v1.0.2')];
    expect(c.layers.slice(0, -2)).toEqual(a.layers.slice(0, -2));
    expect(c.layers.at(-2)).not.toEqual(a.layers.at(-2));
  });
});

// image store: <image>:buildcache on the containerd store; on the classic one the cache goes inline and comes back from the tags
describe('cache-mode: registry', { tags: ['image-store'] }, () => {
  it('keeps the layer cache as <image>:buildcache and uses it on the next run', async () => {
    const s = services();
    const repo = uniqueRepo('regcache');
    const ws = prebuiltWorkspace();
    appendFileSync(path.join(ws.dir, 'Dockerfile'), 'RUN echo "built" > /build-info.txt\n');
    commitAll(ws, 'a RUN step');
    const publish = (tag: string) =>
      runAction({
        workspace: ws.dir,
        event: tagEvent(ws.sha, tag),
        env: ws.env,
        inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, network: 'host', 'cache-mode': 'registry', ...PREBUILT },
      });
    const first = await publish('v1.0.0');
    expect(first.main.code, first.main.log).toBe(0);
    // the classic store's own builder cannot write <image>:buildcache: the pushed image carries the cache inline
    expect((await registryTags(s, repo)).includes('buildcache')).toBe(!classicStore());
    docker(['builder', 'prune', '-af']);
    const second = await publish('v1.0.1');
    expect(second.main.code, second.main.log).toBe(0);
    expect(second.main.log).toContain(`importing cache manifest from ${s.registry}/${repo}:buildcache`);
    if (classicStore()) expect(second.main.log).toContain(`importing cache manifest from ${s.registry}/${repo}:latest`);
    expect(stepCached(second.main.log, 'RUN echo')).toBe(true);
  });
});
