import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/containers.ts';
import { branchEvent } from '../support/events.ts';
import { lastLayers, privateDocker, readImage } from '../support/native.ts';
import { ROOT, runAction, type ActionRun } from '../support/runner.ts';
import { services, uniqueRepo, warmedMavenRepository, type Services } from '../support/services.ts';

let s: Services;

/**
 * The Spring Boot example in a fresh git repository, its jar built by Maven into a local repository that starts as a copy of
 * the machine's warmed one (this is not a test of Maven Central or of caches).
 */
function springWorkspace(): { dir: string; repoLocal: string; build: (date: string) => string } {
  const top = mkdtempSync(path.join(os.tmpdir(), 'ip-boot-'));
  const dir = path.join(top, 'repo');
  cpSync(path.join(ROOT, 'example'), dir, { recursive: true });
  const repoLocal = path.join(top, 'm2');
  cpSync(warmedMavenRepository(), repoLocal, { recursive: true });
  const git = (date: string, ...a: string[]): string =>
    execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } }).trim();
  git('2026-11-01T12:00:00Z', 'init', '-q', '-b', 'main');
  // each commit at its own time, as in real life: the time stamps of everything that did not change must not matter
  const build = (date: string): string => {
    git(date, '-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'add', '-A');
    git(date, '-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'commit', '-q', '--allow-empty', '-m', 'change');
    // reproducible, as the action builds it: the jar's entries carry the commit time
    execFileSync('mvn', ['-B', '-q', '-DskipTests', `-Dmaven.repo.local=${repoLocal}`, `-Dproject.build.outputTimestamp=${date}`, 'package'], { cwd: dir, stdio: 'pipe', timeout: 8 * 60 * 1000 });
    return git(date, 'rev-parse', 'HEAD');
  };
  return { dir, repoLocal, build };
}

describe('a Spring Boot layered jar, native builder, layers: auto', () => {
  const repo = uniqueRepo('native-boot');
  let ws: ReturnType<typeof springWorkspace>;
  let first: ActionRun;
  let second: ActionRun;
  let container = '';
  let pulled = '';
  let docker: (args: string[]) => string = () => '';
  const act = (sha: string, tag: string): Promise<ActionRun> =>
    runAction({
      workspace: ws.dir,
      event: branchEvent(sha, 'main'),
      inputs: {
        'java-tool': 'none',
        artifact: 'target/hello-service-1.0.0.jar',
        images: `${s.registry}/${repo}`,
        tags: `type=raw,value=${tag}`,
        registry: s.registry,
        username: s.user,
        password: s.password,
        cache: 'false',
        builder: 'auto',
      },
    });
  beforeAll(async () => {
    s = services();
    ws = springWorkspace();
    first = await act(ws.build('2026-11-01T12:00:00Z'), 'latest');
    const controller = path.join(ws.dir, 'src/main/java/com/acme/hello/HelloController.java');
    writeFileSync(controller, readFileSync(controller, 'utf8').replace('Hello from image-publish', 'Hello again from image-publish'));
    second = await act(ws.build('2026-11-02T09:30:00Z'), 'latest');
  });
  afterAll(() => {
    // only what this test made: its container and the image it pulled
    if (container) docker(['rm', '-f', container]);
    if (pulled) docker(['image', 'rm', pulled]);
  });

  it('splits the jar into its layers.idx layers, with a thin app.jar whose Class-Path names lib/', async () => {
    expect(first.main.code, first.main.log).toBe(0);
    expect(first.main.log).toContain('Builder: native, since it supports every instruction');
    expect(first.main.log).toContain('is a Spring Boot layered jar: dependencies');
    const img = await readImage(s, repo, first.outputs.digest);
    const added = img.config.history.filter((h) => h.created_by?.includes('spring boot layer')).map((h) => h.created_by!.replace(/.*spring boot layer /, ''));
    expect(added[0]).toBe('dependencies');
    expect(added[added.length - 1]).toBe('application');
    const layers = await lastLayers(s, repo, img, added.length);
    const deps = layers[0].filter((e) => e.type === 'file').map((e) => e.path);
    expect(deps.length).toBeGreaterThan(10);
    expect(deps.every((p) => p.startsWith('app-lib/') && p.endsWith('.jar'))).toBe(true);
    expect(deps.some((p) => /^app-lib\/spring-web-6\.[\d.]+\.jar$/.test(p))).toBe(true);
    expect(layers[layers.length - 1].filter((e) => e.type === 'file').map((e) => e.path)).toEqual(['app.jar']);
  });

  it('runs unchanged: java -jar ./app.jar, pulled by digest, answers /hello', { timeout: 6 * 60 * 1000 }, async () => {
    docker = privateDocker(s);
    pulled = `${s.registry}/${repo}@${second.outputs.digest}`;
    const port = await freePort();
    container = docker(['run', '-d', '--network', 'host', pulled, `--server.port=${port}`]).trim();
    let body = '';
    // Spring starts in seconds on a runner, but takes most of a minute on a loaded 2-core machine
    for (const until = Date.now() + 4 * 60 * 1000; Date.now() < until && !body; ) {
      body = await fetch(`http://127.0.0.1:${port}/hello`, { signal: AbortSignal.timeout(15000) })
        .then(async (r) => (r.ok ? r.text() : r.status === 404 ? `HTTP 404: ${await r.text()}` : ''))
        .catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 500));
    }
    expect(body, docker(['logs', container])).toBe('Hello again from image-publish');
  });

  it('a one-line code change uploads only the application layer: kilobytes', async () => {
    expect(second.main.code, second.main.log).toBe(0);
    expect(second.outputs.digest).not.toBe(first.outputs.digest);
    const [a, b] = await Promise.all([readImage(s, repo, first.outputs.digest), readImage(s, repo, second.outputs.digest)]);
    expect(b.manifest.layers.slice(0, -1)).toEqual(a.manifest.layers.slice(0, -1));
    const meta = JSON.parse(second.outputs.metadata) as { registries: { uploadedBytes: number }[] };
    expect(meta.registries[0].uploadedBytes).toBeLessThan(100 * 1024);
  });
});
