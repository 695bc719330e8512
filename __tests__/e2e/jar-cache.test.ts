/**
 * The jar cache names what is built: the same GITHUB_SHA over another source tree, pom or JDK builds fresh, and the
 * image holds the workspace's code; the same tree, command and JDK takes the cached jar.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { docker, services, SHADED, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

const MAIN = 'src/main/java/com/acme/hello/Main.java';

/** The JDK `java` on PATH belongs to. */
function jdkHome(): string {
  const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
  return path.dirname(path.dirname(realpathSync(java)));
}

/**
 * The same JDK behind links in another directory, with a `release` file that says `version` (what a switch of
 * setup-java's version looks like to the key), or the original `release` when no version is given.
 */
function relabelledJdk(home: string, version?: string): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-jdk-')), 'jdk');
  mkdirSync(dir);
  for (const e of readdirSync(home)) if (e !== 'release') symlinkSync(path.join(home, e), path.join(dir, e));
  const release = readFileSync(path.join(home, 'release'), 'utf8');
  writeFileSync(path.join(dir, 'release'), version ? release.replace(/^JAVA_VERSION=.*$/m, `JAVA_VERSION="${version}"`).replace(/^JAVA_RUNTIME_VERSION=.*$/m, `JAVA_RUNTIME_VERSION="${version}+1"`) : release);
  return dir;
}

/** Whether a class in the image's app.jar holds `text`: the code the image really ships. */
function imageShips(imageId: string, text: string): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-jar-'));
  const workdir = docker(['image', 'inspect', '--format', '{{.Config.WorkingDir}}', imageId]).trim() || '/';
  const container = docker(['create', imageId]).trim();
  try {
    docker(['cp', `${container}:${path.posix.join(workdir, 'app.jar')}`, path.join(dir, 'app.jar')]);
  } finally {
    docker(['rm', '-f', container]);
  }
  const entries = unzipSync(readFileSync(path.join(dir, 'app.jar')), { filter: (f) => f.name.endsWith('.class') && !f.name.includes('/shaded/') && !f.name.startsWith('com/google/') });
  return Object.values(entries).some((bytes) => Buffer.from(bytes).includes(text));
}

describe('the jar cache is keyed by what is built, not by GITHUB_SHA', () => {
  const repo = uniqueRepo('jarkey');
  let s: Services;
  let svc: CacheService;
  let ws: Workspace;
  let runnerTemp: string;
  let sha: string;
  let jdk: string;
  const runs: Record<string, ActionRun> = {};
  const ships: Record<string, { old: boolean; new: boolean }> = {};

  /** Every run says GITHUB_SHA = the fixture's first commit, whatever the workspace holds. */
  const publish = async (name: string, tag: string, javaHome: string): Promise<void> => {
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(sha, tag),
      env: { ...ws.env, ...svc.env, JAVA_HOME: javaHome },
      runnerTemp,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password },
    });
    runs[name] = run;
    if (run.main.code === 0) ships[name] = { old: imageShips(run.outputs['image-id'], 'hello docker'), new: imageShips(run.outputs['image-id'], 'hello, jar cache') };
    // what a fresh runner lacks; only the Actions cache survives
    const refs = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter((r) => r.startsWith(`${s.registry}/${repo}:`));
    if (refs.length) docker(['image', 'rm', '-f', ...refs]);
    rmSync(path.join(ws.env.HOME, '.m2', 'repository'), { recursive: true, force: true });
    rmSync(runnerTemp, { recursive: true, force: true });
    rmSync(path.join(ws.dir, 'target'), { recursive: true, force: true });
  };
  const hit = (name: string): string => (JSON.parse(runs[name].outputs['cache-hit'] ?? '{}') as { jar?: string }).jar ?? '';
  const git = (...a: string[]): string => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: ws.dir, encoding: 'utf8' }).trim();

  beforeAll(async () => {
    s = services();
    svc = await startCacheService();
    ws = workspace(SHADED);
    sha = ws.sha;
    jdk = jdkHome();
    runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp');
    await publish('cold', 'v1.0.1', jdk);
    await publish('again', 'v1.0.2', jdk);
    await publish('otherJdk', 'v1.0.3', relabelledJdk(jdk, '17.0.99'));
    await publish('sameJdkElsewhere', 'v1.0.4', relabelledJdk(jdk));
    // an uncommitted edit: GITHUB_SHA still names the old commit
    const main = path.join(ws.dir, MAIN);
    writeFileSync(main, readFileSync(main, 'utf8').replace('"hello docker"', '"hello, jar cache"'));
    await publish('edited', 'v1.0.5', jdk);
    // the edit committed, the event still about the old commit (a checkout with `ref:`): the same content
    git('commit', '-qam', 'greeting');
    await publish('committed', 'v1.0.6', jdk);
    // `mvn versions:set -DnewVersion=1.0.1` before the step
    const pom = path.join(ws.dir, 'pom.xml');
    writeFileSync(pom, readFileSync(pom, 'utf8').replace('<version>1.0.0</version>', '<version>1.0.1</version>'));
    await publish('versionSet', 'v1.0.7', jdk);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('every run publishes', () => {
    for (const [name, run] of Object.entries(runs)) {
      expect(run.main.code, `${name}\n${run.main.log}`).toBe(0);
      expect(run.post.code, `${name}\n${run.post.log}`).toBe(0);
    }
  });

  it('the same tree, command and JDK hits exactly and runs no Maven', () => {
    expect(hit('cold')).toBe('miss');
    expect(hit('again')).toBe('exact');
    expect(runs.again.main.log).toContain('the maven build is skipped');
    expect(runs.again.main.log).not.toContain('BUILD SUCCESS');
    expect(ships.again).toEqual({ old: true, new: false });
  });

  it('another JDK version misses; the same JDK from another path hits', () => {
    expect(hit('otherJdk')).toBe('miss');
    expect(runs.otherJdk.main.log).toContain('BUILD SUCCESS');
    expect(hit('sameJdkElsewhere')).toBe('exact');
  });

  it('an uncommitted source change under the same GITHUB_SHA misses, and the image holds the new code', () => {
    expect(hit('edited')).toBe('miss');
    expect(runs.edited.main.log).toContain('BUILD SUCCESS');
    expect(ships.edited).toEqual({ old: false, new: true });
  });

  it('the same change committed, with the event still naming the old commit, is the same content: a hit with the new code', () => {
    expect(git('rev-parse', 'HEAD')).not.toBe(sha);
    expect(hit('committed')).toBe('exact');
    expect(ships.committed).toEqual({ old: false, new: true });
  });

  it('a version set in pom.xml before the step misses and ships the new version', () => {
    expect(hit('versionSet')).toBe('miss');
    expect(runs.versionSet.outputs.artifact).toBe('target/hello-service-1.0.1.jar');
    expect(ships.versionSet).toEqual({ old: false, new: true });
  });

  it('no key names the commit', () => {
    const keys = svc.entries().map((e) => e.key).filter((k) => k.startsWith('image-publish-jar-'));
    // cold, otherJdk, edited, versionSet: four distinct builds
    expect(new Set(keys).size).toBe(4);
    for (const k of keys) expect(k).not.toContain(sha);
  });
});

describe('a workspace without git', () => {
  it('builds without a jar cache, and says so', async () => {
    const s = services();
    const svc = await startCacheService();
    try {
      const ws = workspace(SHADED);
      rmSync(path.join(ws.dir, '.git'), { recursive: true, force: true });
      const event = tagEvent(ws.sha, 'v1.0.0');
      const run = await runAction({
        workspace: ws.dir,
        // the payload's head commit gives the commit time, so the build is reproducible and a jar cache would be possible
        event: { ...event, payload: { ...event.payload, head_commit: { id: ws.sha, timestamp: '2026-11-01T12:00:00Z' } } },
        env: { ...ws.env, ...svc.env },
        inputs: { images: `${s.registry}/${uniqueRepo('nogit')}`, registry: s.registry, username: s.user, password: s.password, push: 'false' },
      });
      expect(run.main.code, run.main.log).toBe(0);
      expect(run.main.log).toMatch(/::notice::No jar cache for this run: the working tree could not be hashed with git/);
      expect(JSON.parse(run.outputs['cache-hit'])).toMatchObject({ jar: 'off' });
      expect(svc.entries().some((e) => e.key.startsWith('image-publish-jar-'))).toBe(false);
    } finally {
      await svc.stop();
    }
  });
});

describe('a Gradle project (no wrapper: the key reads `gradle --version`)', () => {
  it('hits for the same tree and misses when build.gradle changes in the workspace', async () => {
    const s = services();
    const svc = await startCacheService();
    try {
      const ws = workspace('__tests__/fixtures/gradle-app');
      const runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp');
      const build = async (): Promise<ActionRun> => {
        const run = await runAction({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), env: { ...ws.env, ...svc.env }, runnerTemp, inputs: { images: `${s.registry}/${uniqueRepo('jarkey-gradle')}`, registry: s.registry, username: s.user, password: s.password, push: 'false' } });
        rmSync(runnerTemp, { recursive: true, force: true });
        // what a fresh checkout lacks: Gradle's outputs and its project cache (this fixture ignores neither)
        for (const d of ['build', '.gradle']) rmSync(path.join(ws.dir, d), { recursive: true, force: true });
        return run;
      };
      const jar = (run: ActionRun): string => (JSON.parse(run.outputs['cache-hit'] ?? '{}') as { jar?: string }).jar ?? '';
      const cold = await build();
      const again = await build();
      writeFileSync(path.join(ws.dir, 'build.gradle'), `${readFileSync(path.join(ws.dir, 'build.gradle'), 'utf8')}\n// a change before the step\n`);
      const changed = await build();
      for (const run of [cold, again, changed]) expect(run.main.code, run.main.log).toBe(0);
      expect([jar(cold), jar(again), jar(changed)]).toEqual(['miss', 'exact', 'miss']);
      expect(again.main.log).toContain('the gradle build is skipped');
      expect(changed.main.log).toContain('BUILD SUCCESSFUL');
    } finally {
      await svc.stop();
    }
  });
});
