/**
 * What the build reads beyond the tracked tree, and what the jar cache and the image record must not hide: a file a
 * step wrote that git ignores, a runner variable the work tree names, a SNAPSHOT dependency that moved upstream.
 * Each run is a fresh runner (only the Actions cache survives) on the same commit; each image is run, and its own
 * answer says what it holds. The first describe also shows the record standing in when nothing changed, so a
 * rebuild seen there is the action's choice, not a record that never works.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { answersOf } from '../support/containers.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { services, SPRING_BOOT, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

const CONTROLLER = `package com.acme.hello;

import java.io.IOException;
import java.io.InputStream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class HelloController {
    @Value("\${app.ref}")
    String ref;

    @GetMapping("/hello")
    public String hello() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/lib.txt")) {
            return "ref=" + ref + " lib=" + (in == null ? "none" : new String(in.readAllBytes()).trim());
        }
    }
}
`;

let s: Services;
let dockerEnv: NodeJS.ProcessEnv;
const dk = (args: string[], input?: string): string => execFileSync('docker', args, { encoding: 'utf8', input, env: dockerEnv, timeout: 5 * 60 * 1000, stdio: ['pipe', 'pipe', 'pipe'] });

beforeAll(() => {
  s = services();
  dockerEnv = { ...process.env, DOCKER_CONFIG: mkdtempSync(path.join(os.tmpdir(), 'ip-inputs-docker-')) };
  dk(['login', '--username', s.user, '--password-stdin', s.registry], s.password);
});
afterAll(() => {
  if (dockerEnv?.DOCKER_CONFIG) rmSync(dockerEnv.DOCKER_CONFIG, { recursive: true, force: true });
});

/** What the image pushed as repo@digest answers on each path, run from a fresh pull. */
async function answers(repo: string, digest: string, paths: readonly string[]): Promise<string[]> {
  const ref = `${s.registry}/${repo}@${digest}`;
  dk(['pull', '--quiet', ref]);
  try {
    return (await answersOf(ref, 'SERVER_PORT', paths, dockerEnv)).map((a) => a.trim());
  } finally {
    dk(['image', 'rm', '-f', ref]);
  }
}

/** A fixture app whose answer tells its GITHUB_REF (filtered into application.properties) and lib.txt from its classpath. */
function app(pomEdit: (pom: string) => string = (p) => p): Workspace {
  const ws = workspace(SPRING_BOOT, { warmMavenRepository: true });
  const put = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(ws.dir, rel)), { recursive: true });
    writeFileSync(path.join(ws.dir, rel), text);
  };
  put('src/main/java/com/acme/hello/HelloController.java', CONTROLLER);
  put('src/main/resources/application.properties', 'spring.application.name=hello-service\napp.ref=@env.GITHUB_REF@\n');
  put('.gitignore', 'target/\nsrc/main/resources/static/\n');
  put('pom.xml', pomEdit(readFileSync(path.join(ws.dir, 'pom.xml'), 'utf8')));
  const git = (...a: string[]): string => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: ws.dir, encoding: 'utf8' }).trim();
  git('add', '-A');
  git('commit', '-qm', 'the answer says what the image holds');
  ws.sha = git('rev-parse', 'HEAD');
  return ws;
}

/** Runs the action as on a fresh runner: the first run keeps the warmed ~/.m2, later ones start without one. */
function publisher(ws: Workspace, svc: CacheService, repo: string): (tag: string) => Promise<ActionRun> {
  const runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-runner-')), '_temp');
  let first = true;
  return async (tag) => {
    rmSync(runnerTemp, { recursive: true, force: true });
    rmSync(path.join(ws.dir, 'target'), { recursive: true, force: true });
    if (!first) rmSync(path.join(ws.env.HOME, '.m2', 'repository'), { recursive: true, force: true });
    first = false;
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, tag),
      env: { ...ws.env, ...svc.env },
      runnerTemp,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, builder: 'auto' },
    });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.post.code, run.post.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    return run;
  };
}

const hits = (run: ActionRun): Record<string, string> => JSON.parse(run.outputs['cache-hit'] ?? '{}') as Record<string, string>;
const mavenRan = (run: ActionRun): boolean => run.main.log.includes('BUILD SUCCESS');

const PATHS = ['/hello', '/app.js'];

describe('an ignored file and a named runner variable are inputs of the jar', () => {
  const repo = uniqueRepo('inputs');
  let svc: CacheService;
  let ws: Workspace;
  const runs: Record<string, ActionRun> = {};
  const js = (text: string): void => {
    mkdirSync(path.join(ws.dir, 'src/main/resources/static'), { recursive: true });
    writeFileSync(path.join(ws.dir, 'src/main/resources/static/app.js'), text);
  };

  beforeAll(async () => {
    svc = await startCacheService();
    ws = app();
    const publish = publisher(ws, svc, repo);
    js('one\n');
    runs.first = await publish('v1.0.0');
    runs.again = await publish('v1.0.0');
    // a step before the action wrote another file that git ignores
    js('two\n');
    runs.ignored = await publish('v1.0.0');
    // the same tree under another tag: application.properties names GITHUB_REF
    runs.retag = await publish('v1.0.1');
  }, 900_000);
  afterAll(async () => {
    await svc?.stop();
    if (ws) rmSync(path.dirname(ws.dir), { recursive: true, force: true });
  });

  it('the same tree and environment again: the record stands in, no Maven', () => {
    expect(hits(runs.first).image).toBe('miss');
    expect(hits(runs.again).image).toBe('exact');
    expect(mavenRan(runs.again)).toBe(false);
  });

  it('an ignored file with new content is built anew, and the image serves it', async () => {
    expect(hits(runs.ignored).image).toBe('miss');
    expect(mavenRan(runs.ignored)).toBe(true);
    expect(await answers(repo, runs.first.outputs.digest, PATHS)).toEqual(['ref=refs/tags/v1.0.0 lib=none', 'one']);
    expect(await answers(repo, runs.ignored.outputs.digest, PATHS)).toEqual(['ref=refs/tags/v1.0.0 lib=none', 'two']);
  });

  it('a runner variable the tree names is part of the key: the new tag is built, and says so', async () => {
    expect(hits(runs.retag).image).toBe('miss');
    expect(mavenRan(runs.retag)).toBe(true);
    expect(await answers(repo, runs.retag.outputs.digest, PATHS)).toEqual(['ref=refs/tags/v1.0.1 lib=none', 'two']);
  });
});

/** A SNAPSHOT of com.acme.test:lib in a file repository, as a deploy makes it: a timestamped version and its metadata. */
function deploySnapshot(remote: string, build: number, text: string): void {
  const dir = path.join(remote, 'com/acme/test/lib/1.0-SNAPSHOT');
  mkdirSync(dir, { recursive: true });
  const stamp = `20261201.12000${build}`;
  const value = `1.0-${stamp}-${build}`;
  const pom = '<project><modelVersion>4.0.0</modelVersion><groupId>com.acme.test</groupId><artifactId>lib</artifactId><version>1.0-SNAPSHOT</version></project>\n';
  const put = (name: string, bytes: string | Uint8Array): void => {
    writeFileSync(path.join(dir, name), bytes);
    writeFileSync(path.join(dir, `${name}.sha1`), createHash('sha1').update(bytes).digest('hex'));
  };
  put(`lib-${value}.pom`, pom);
  put(`lib-${value}.jar`, zipSync({ 'lib.txt': strToU8(`${text}\n`) }));
  const versions = ['jar', 'pom'].map((ext) => `<snapshotVersion><extension>${ext}</extension><value>${value}</value><updated>${stamp.replace('.', '')}</updated></snapshotVersion>`).join('');
  put(
    'maven-metadata.xml',
    `<metadata><groupId>com.acme.test</groupId><artifactId>lib</artifactId><version>1.0-SNAPSHOT</version><versioning><snapshot><timestamp>${stamp}</timestamp><buildNumber>${build}</buildNumber></snapshot><lastUpdated>${stamp.replace('.', '')}</lastUpdated><snapshotVersions>${versions}</snapshotVersions></versioning></metadata>\n`,
  );
}

describe('a SNAPSHOT dependency that moved upstream is fetched anew, never taken from a cache', () => {
  const repo = uniqueRepo('snapshot');
  let svc: CacheService;
  let ws: Workspace;
  let remote: string;
  const runs: Record<string, ActionRun> = {};

  beforeAll(async () => {
    svc = await startCacheService();
    remote = mkdtempSync(path.join(os.tmpdir(), 'ip-snapshots-'));
    ws = app((pom) =>
      pom
        .replace('<dependencies>', '<repositories><repository><id>snapshots</id><url>file://' + remote + '</url><releases><enabled>false</enabled></releases><snapshots><enabled>true</enabled></snapshots></repository></repositories>\n  <dependencies>\n    <dependency><groupId>com.acme.test</groupId><artifactId>lib</artifactId><version>1.0-SNAPSHOT</version></dependency>'),
    );
    const publish = publisher(ws, svc, repo);
    deploySnapshot(remote, 1, 'A');
    runs.a = await publish('v1.0.0');
    deploySnapshot(remote, 2, 'B');
    runs.b = await publish('v1.0.0');
  }, 900_000);
  afterAll(async () => {
    await svc?.stop();
    if (ws) rmSync(path.dirname(ws.dir), { recursive: true, force: true });
    if (remote) rmSync(remote, { recursive: true, force: true });
  });

  it('keeps no image record or jar for a build whose dependencies move', () => {
    for (const run of [runs.a, runs.b]) expect(run.main.log).toMatch(/No jar cache or image record is kept for this build: the Maven repository holds the SNAPSHOT com\/acme\/test\/lib\/1\.0-SNAPSHOT/);
    expect(svc.entries().filter((e) => e.key.startsWith('image-publish-image-') || e.key.startsWith('image-publish-jar-'))).toEqual([]);
  });

  it('the second run takes the dependency cache, builds online with -U, and its image holds the new SNAPSHOT', async () => {
    expect(hits(runs.b)).toMatchObject({ dependencies: 'exact', image: 'miss' });
    expect(runs.b.main.log).toContain('The restored dependency cache is not the last word');
    expect(runs.b.main.log).toMatch(/\[command\]\S*mvn .* -U\n/);
    expect(await answers(repo, runs.a.outputs.digest, ['/hello'])).toEqual(['ref=refs/tags/v1.0.0 lib=A']);
    expect(await answers(repo, runs.b.outputs.digest, ['/hello'])).toEqual(['ref=refs/tags/v1.0.0 lib=B']);
  });
});
