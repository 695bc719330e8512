// @module-tag engine-settings (`docker builder prune -af` for a fresh runner: every build cache of the engine goes; runs alone)
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { branchEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { classicStore, docker, PREBUILT, prebuiltWorkspace, registryManifest, services, uniqueRepo, type Services, type Workspace } from '../support/services.ts';

/** The BuildKit step ids of every RUN step in a plain-progress log, with whether each was CACHED. */
function runSteps(log: string): { title: string; cached: boolean }[] {
  const lines = log.split('\n');
  const steps = new Map<string, string>();
  for (const l of lines) {
    const m = /^(#\d+) (\[\d+\/\d+\] RUN .*)$/.exec(l);
    if (m && !steps.has(m[1])) steps.set(m[1], m[2]);
  }
  return [...steps].map(([id, title]) => ({ title, cached: lines.includes(`${id} CACHED`) }));
}

/** A fresh runner of the same repository: no images of this repository, no build cache, an empty RUNNER_TEMP. */
function wipeRunner(s: Services, repo: string, runnerTemp: string): void {
  const refs = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter((r) => r.startsWith(`${s.registry}/${repo}:`));
  if (refs.length) docker(['image', 'rm', '-f', ...refs]);
  docker(['builder', 'prune', '-af']);
  rmSync(runnerTemp, { recursive: true, force: true });
  // the jar in the workspace stays: it is the job's input here (a prebuilt artifact), not what this test is about
}

// Runs on whichever engine DOCKER_HOST names: .ci/test runs it on the containerd store and, tagged, on the classic store.
// image store: the docker builder keeps every layer (mode=max) on the containerd store and can only inline on the classic one
describe('a rerun of an unchanged commit on a fresh runner: every RUN step is CACHED, on this image store', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('stores');
  let s: Services;
  let svc: CacheService;
  let ws: Workspace;
  let runnerTemp: string;
  let classic: boolean;
  let first: ActionRun;
  let again: ActionRun;

  const publish = () =>
    runAction({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      env: { ...ws.env, ...svc.env },
      runnerTemp,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, network: 'host', ...PREBUILT },
    });

  beforeAll(async () => {
    s = services();
    classic = classicStore();
    svc = await startCacheService();
    ws = prebuiltWorkspace();
    // RUN steps before and after the jar, as a real Dockerfile has them (packages first, then the app);
    // the repository name makes them new to this engine's build cache
    const dockerfile = path.join(ws.dir, 'Dockerfile');
    appendFileSync(dockerfile, `RUN echo "after the jar: $JAR_FILE ${repo}" > /build-info.txt\n`);
    execFileSync('sed', ['-i', `s|^ARG JAR_FILE|RUN echo "before the jar ${repo}" > /packages.txt\\nARG JAR_FILE|`, dockerfile]);
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: ws.dir, encoding: 'utf8' }).trim();
    git('commit', '-qam', 'two RUN steps');
    ws.sha = git('rev-parse', 'HEAD');
    runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp');
    first = await publish();
    wipeRunner(s, repo, runnerTemp);
    again = await publish();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('says which layer cache the builder can keep, and keeps it', () => {
    expect(first.main.code, first.main.log).toBe(0);
    expect(first.post.code, first.post.log).toBe(0);
    expect(first.outputs.pushed).toBe('true');
    const keys = svc.entries().map((e) => e.key);
    if (classic) {
      expect(first.main.log).toContain('Layer cache: inline in the pushed image (type=inline), because the docker builder on the classic image store exports no cache');
      expect(first.main.log).toMatch(/\[command\]\S*docker buildx build .*--cache-to type=inline/);
      expect(first.main.log).not.toContain('Cache export is not supported');
      expect(keys.some((k) => k.startsWith('image-publish-layers-'))).toBe(false);
    } else {
      expect(first.main.log).toContain('Layer cache: every layer (mode=max) in the Actions cache, because the docker builder on the containerd image store exports every layer');
      expect(keys.some((k) => k.startsWith('image-publish-layers-'))).toBe(true);
    }
    expect(first.main.log).not.toContain('The layer cache is skipped');
    // the output says the same: no layer cache of its own on the classic store
    expect(JSON.parse(first.outputs['cache-hit']).layers).toBe(classic ? 'off' : 'miss');
  });

  it('the rerun builds nothing: both RUN steps are CACHED', () => {
    expect(again.main.code, again.main.log).toBe(0);
    const steps = runSteps(again.main.log);
    expect(steps.map((st) => st.title.replace(/^\[\d+\/\d+\] /, ''))).toEqual([
      `RUN echo "before the jar ${repo}" > /packages.txt`,
      `RUN echo "after the jar: target/hello-service-1.0.0.jar ${repo}" > /build-info.txt`,
    ]);
    expect(steps.filter((st) => !st.cached)).toEqual([]);
    // and the first run really ran them: the cache is what makes the difference
    expect(runSteps(first.main.log).every((st) => !st.cached)).toBe(true);
    if (classic) expect(again.main.log).toContain(`importing cache manifest from ${s.registry}/${repo}:main`);
    expect(JSON.parse(again.outputs['cache-hit']).layers).toBe(classic ? 'off' : 'exact');
  });

  it('the rerun pushes the same layers', async () => {
    expect(again.outputs.pushed).toBe('true');
    const a = await registryManifest(s, repo, first.outputs.digest);
    const b = await registryManifest(s, repo, again.outputs.digest);
    expect(b.layers.map((l) => l.digest)).toEqual(a.layers.map((l) => l.digest));
  });
});
