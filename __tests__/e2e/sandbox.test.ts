import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileJobs, RUNTIME_TOKENS, type Hostile, type HostileJobs } from '../support/hostile-job.ts';
import { imageText, processesWith, readTree } from '../support/hostile.ts';
import { runAction, type ActionRun, type GitEvent } from '../support/runner.ts';
import { registryDigest, registryTags, services, uniqueRepo, type Services } from '../support/services.ts';

// The wall around the Java build (the runner without it: sandbox-unwalled.test.ts, which runs alone).

let s: Services;
let jobs: HostileJobs;

beforeAll(() => {
  s = services();
  jobs = hostileJobs(s);
});

afterAll(() => jobs?.killSurvivors());

describe.each(['maven', 'gradle'] as const)('a hostile %s wrapper behind the wall', (tool) => {
  const repo = uniqueRepo(`hostile-${tool}`);
  let h: Hostile;
  let run: ActionRun;
  beforeAll(async () => {
    h = jobs.workspace(tool);
    run = await jobs.publish(h, repo);
  }, 10 * 60 * 1000);

  it('ran, and the run went on to log in, push and sign', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(readFileSync(path.join(h.loot, 'ran'), 'utf8')).toBe('ran\n');
    expect(run.main.log).toMatch(/Build isolation: the Java build runs in its own PID and mount namespaces \((root|sudo|userns|userns-root),/);
    expect(run.main.log).toContain(`Logged in to ${s.registry}`);
    expect(await registryTags(s, repo)).toEqual(expect.arrayContaining(['v1.0.0']));
  });

  it('found no secret: not in what it collected, not in what its survivor read, not in the pushed image', async () => {
    const collected = readTree(h.loot);
    // it did read processes' environments and files: a probe that saw nothing would prove nothing
    expect(collected).toMatch(/^PATH=/m);
    expect(readTree(path.join(h.ws.dir, 'hostile'))).toMatch(/^PATH=/m);
    // by tag, not by the digest output: that output is one of the things the build tries to forge
    const image = await imageText(s, repo, 'v1.0.0');
    expect(image).toContain('hostile/environ');
    for (const secret of jobs.secrets()) {
      expect(collected, 'in /tmp').not.toContain(secret);
      expect(readTree(path.join(h.ws.dir, 'hostile')), 'in the workspace').not.toContain(secret);
      expect(image, 'in the image').not.toContain(secret);
    }
  });

  it('wrote nothing into the outputs, state, env and path files, and printed no command the runner acted on', async () => {
    expect(run.outputs.digest).toBe(await registryDigest(s, repo, 'v1.0.0'));
    for (const f of ['output', 'state', 'env', 'path']) {
      const text = readFileSync(path.join(path.dirname(run.stateFile), f), 'utf8');
      expect(text, f).not.toMatch(/forged|NODE_OPTIONS|ip-hostile|ip-victim/);
    }
    // it did find them and write: to /dev/null, which covers them inside the sandbox
    expect(readFileSync(path.join(h.loot, 'wrote'), 'utf8')).toContain(path.join(path.dirname(run.stateFile), 'output'));
    const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(run.main.log)?.[1];
    expect(token).toBeDefined();
    const stopped = run.main.log.slice(run.main.log.indexOf(`::stop-commands::${token}`), run.main.log.indexOf(`::${token}::`));
    for (const line of ['::set-output name=digest::sha256:forged', '::save-state name=image-publish::', '::add-mask::sha256', '::error::the hostile build was here']) expect(stopped).toContain(line);
  });

  it('post deleted nothing it named, and no process of the build is left', () => {
    expect(run.post.code, run.post.log).toBe(0);
    expect(readFileSync(path.join(h.victim, 'keep-me'), 'utf8')).toContain('post must not delete this');
    expect(processesWith(`ip-survivor-${h.id}`)).toEqual([]);
  });
});

describe('pull_request_target with the pull request head checked out', () => {
  it('runs no repository code, and names allow-untrusted-checkout', async () => {
    const h = jobs.workspace('maven');
    const repo = uniqueRepo('prt-hostile');
    const base = 'b'.repeat(40);
    const event: GitEvent = {
      name: 'pull_request_target',
      ref: 'refs/heads/main',
      sha: base,
      payload: { number: 9, pull_request: { number: 9, head: { sha: h.ws.sha, repo: { full_name: 'stranger/hello-service' } }, base: { sha: base, repo: { full_name: 'acme/hello-service' } } }, repository: { name: 'hello-service', full_name: 'acme/hello-service' } },
    };
    const run = await runAction({ workspace: h.ws.dir, event, env: { ...h.ws.env, ...RUNTIME_TOKENS }, inputs: { images: `${s.registry}/${repo}`, tags: 'type=raw,value=pr-9', registry: s.registry, username: s.user, password: s.password } });
    expect(run.main.code).toBe(1);
    expect(existsSync(h.loot)).toBe(false);
    expect(run.main.log).toContain(`::error::Input 'allow-untrusted-checkout': pull_request_target: the workspace holds ${h.ws.sha.slice(0, 12)}, not the base commit ${base.slice(0, 12)}, and this run would execute that code: the Java build (./mvnw`);
    expect(run.main.log).not.toContain('::group::Java build');
    expect(await registryTags(s, repo)).toEqual([]);
  });
});
