/**
 * The image record: a rerun of the same tree needs neither Maven nor the jar. The second run of the Spring Boot app
 * downloads a record of a few hundred bytes, runs no build tool and makes no jar, and skopeo shows its image made of
 * the first run's layers; a repository that lacks them, or a changed tree, builds as before.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { services, SPRING_BOOT, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

const CONTROLLER = 'src/main/java/com/acme/hello/HelloController.java';

describe('the image record stands in for the build of the same tree', () => {
  const repo = uniqueRepo('record');
  let s: Services;
  let svc: CacheService;
  let ws: Workspace;
  let authDir: string;
  const runs: Record<string, ActionRun> = {};
  const mavenRan: Record<string, boolean> = {};

  let runnerTemp: string;

  /**
   * A run on a fresh runner: an empty RUNNER_TEMP at the same path (as on GitHub, where the cache's version names
   * it), no target/, no ~/.m2/repository; only the Actions cache survives.
   */
  const publish = async (name: string, tag: string, image = repo): Promise<void> => {
    rmSync(runnerTemp, { recursive: true, force: true });
    rmSync(path.join(ws.dir, 'target'), { recursive: true, force: true });
    rmSync(path.join(ws.env.HOME, '.m2', 'repository'), { recursive: true, force: true });
    runs[name] = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, tag),
      env: { ...ws.env, ...svc.env },
      runnerTemp,
      inputs: { images: `${s.registry}/${image}`, registry: s.registry, username: s.user, password: s.password, builder: 'auto' },
    });
    // Maven leaves its repository and target/ behind; a run that made neither ran no build
    mavenRan[name] = existsSync(path.join(ws.env.HOME, '.m2', 'repository')) || existsSync(path.join(ws.dir, 'target'));
  };
  const hits = (name: string): Record<string, string> => JSON.parse(runs[name].outputs['cache-hit'] ?? '{}') as Record<string, string>;
  /** The image's layer digests, as skopeo reads them from the registry. */
  const layers = (image: string, tag: string): string[] => {
    const out = execFileSync('skopeo', ['inspect', '--authfile', path.join(authDir, 'auth.json'), '--tls-verify=false', `docker://${s.registry}/${image}:${tag}`], { encoding: 'utf8', timeout: 60_000 });
    return (JSON.parse(out) as { Layers: string[] }).Layers;
  };

  beforeAll(async () => {
    s = services();
    svc = await startCacheService();
    ws = workspace(SPRING_BOOT, { warmMavenRepository: true });
    runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp');
    authDir = mkdtempSync(path.join(os.tmpdir(), 'ip-record-skopeo-'));
    writeFileSync(path.join(authDir, 'auth.json'), JSON.stringify({ auths: { [s.registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }), { mode: 0o600 });
    // the warmed repository for the cold run only: later runs start without one
    await publish('cold', 'v1.0.0');
    await publish('again', 'v1.0.1');
    await publish('elsewhere', 'v1.0.2', `${repo}-new`);
    const file = path.join(ws.dir, CONTROLLER);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/return "[^"]*"/, 'return "hello, image record"'));
    execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'commit', '-qam', 'greeting'], { cwd: ws.dir });
    await publish('changed', 'v1.0.3');
  }, 600_000);
  afterAll(async () => {
    await svc?.stop();
    rmSync(authDir, { recursive: true, force: true });
    rmSync(path.dirname(runnerTemp), { recursive: true, force: true });
  });

  it('every run pushes', () => {
    for (const [name, run] of Object.entries(runs)) {
      expect(run.main.code, `${name}\n${run.main.log}`).toBe(0);
      expect(run.post.code, `${name}\n${run.post.log}`).toBe(0);
      expect(run.outputs.pushed, name).toBe('true');
    }
  });

  it('the cold run builds and saves a small record, not the jar', () => {
    expect(mavenRan.cold).toBe(true);
    expect(hits('cold')).toMatchObject({ image: 'miss', jar: 'off' });
    const saved = svc.entries().filter((e) => e.key.startsWith('image-publish-image-'));
    expect(saved.length).toBeGreaterThanOrEqual(1);
    for (const e of saved) expect(e.size).toBeLessThan(4096);
    expect(svc.entries().some((e) => e.key.startsWith('image-publish-jar-'))).toBe(false);
  });

  it('the same tree again: no Maven, no jar, the first run\'s layers under the new tag', () => {
    expect(hits('again')).toMatchObject({ image: 'exact', dependencies: 'off' });
    expect(mavenRan.again).toBe(false);
    expect(runs.again.main.log).toContain('from the image record');
    expect(runs.again.outputs.artifact ?? '').toBe('');
    expect(layers(repo, 'v1.0.1')).toEqual(layers(repo, 'v1.0.0'));
    // the version label moved, so the config (and the digest) is the new tag's own
    expect(runs.again.outputs.digest).not.toBe(runs.cold.outputs.digest);
  });

  it('a repository that lacks the recorded layers builds the jar, and gets the same library layers', () => {
    expect(hits('elsewhere').image).toBe('error');
    expect(runs.elsewhere.main.log).toMatch(/The image record \S+ is not used, and the jar is built: \S+ lacks its layer sha256:/);
    expect(mavenRan.elsewhere).toBe(true);
    // the application layer may differ: Spring Boot 3.5's CycloneDX SBOM in the jar has a serial number of its own
    const [first, rebuilt] = [layers(repo, 'v1.0.0'), layers(`${repo}-new`, 'v1.0.2')];
    expect(rebuilt).toHaveLength(first.length);
    expect(rebuilt.slice(0, -1)).toEqual(first.slice(0, -1));
  });

  it('a changed tree misses, builds, and changes only the application layer', () => {
    expect(hits('changed').image).toBe('miss');
    expect(mavenRan.changed).toBe(true);
    const [before, after] = [layers(repo, 'v1.0.0'), layers(repo, 'v1.0.3')];
    expect(after).toHaveLength(before.length);
    expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
    expect(after.at(-1)).not.toBe(before.at(-1));
  });
});
