import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, httpGetWithin } from '../support/containers.ts';
import { tagEvent } from '../support/events.ts';
import { privateDocker } from '../support/native.ts';
import { runAction, type ActionRun } from '../support/runner.js';
import { docker, PREBUILT, prebuiltWorkspace, registryDigest, registryTags, services, SHADED, uniqueRepo, workspace, type Services } from '../support/services.js';

let s: Services;
beforeAll(() => {
  s = services();
});



function dockerConfigsLeft(run: ActionRun): string[] {
  return readdirSync(run.runnerTemp).filter((f) => f.startsWith('image-publish-docker-'));
}

// the Spring Boot example goes through the same steps, from Maven Central, in apps.test.ts
describe('a Maven app, the tutorial Dockerfile, release tag v1.2.3', () => {
  const repo = uniqueRepo('maven');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = workspace(SHADED);
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.2.3'),
      env: ws.env,
      inputs: {
        images: `${s.registry}/${repo}`,
        tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}',
        registry: s.registry,
        username: s.user,
        password: s.password,
        'github-token': 'not-a-real-token',
      },
    });
  });

  it('succeeds and reports a digest, the version and the jar', () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs.version).toBe('1.2.3');
    expect(run.outputs.pushed).toBe('true');
    expect(run.outputs.artifact).toBe('target/hello-service-1.0.0.jar');
    expect(run.outputs['tag-names'].split('\n')).toEqual(['1.2.3', '1.2', '1', 'latest']);
  });

  it('serves 1.2.3, 1.2, 1 and latest at the digest output', async () => {
    for (const tag of ['1.2.3', '1.2', '1', 'latest']) {
      expect(await registryDigest(s, repo, tag), tag).toBe(run.outputs.digest);
    }
  });

  it('pulls by digest and answers GET /hello', async () => {
    const ref = `${s.registry}/${repo}@${run.outputs.digest}`;
    for (const t of ['1.2.3', '1.2', '1', 'latest']) docker(['image', 'rm', '-f', `${s.registry}/${repo}:${t}`]);
    // a docker config of its own: the shared ~/.docker is left alone
    privateDocker(s)(['pull', ref]);
    const port = await freePort();
    const name = `hello-${port}`;
    const child = spawn('docker', ['run', '--rm', '--name', name, '--network', 'host', '-e', `PORT=${port}`, ref], { stdio: 'ignore' });
    try {
      expect(await httpGetWithin(`http://127.0.0.1:${port}/hello`, 60000)).toBe('hello docker');
    } finally {
      execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
      child.kill();
    }
  });

  it('keeps the password out of logs, outputs and state, and the post step removes the config', () => {
    expect(run.everything).not.toContain(s.password);
    expect(run.post.code, run.post.log).toBe(0);
    expect(run.post.log).toContain('Logged out of');
    expect(dockerConfigsLeft(run)).toEqual([]);
    expect(readFileSync(run.stateFile, 'utf8')).toContain('image-publish-docker-');
  });

  it('logs each stage in its own group with a duration', () => {
    for (const title of ['Read inputs', 'Compute tags and labels', 'Log in to the registries', 'Java build', 'Build the image', 'Push']) {
      expect(run.main.log).toContain(`::group::${title}`);
      expect(run.main.log).toMatch(new RegExp(`${title}: \\d+\\.\\d s`));
    }
  });
});

// image store: the image ID is the manifest digest on the containerd store and the config digest on the classic one
describe('push: false', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('nopush');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = prebuiltWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v2.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, push: 'false', ...PREBUILT },
    });
  });

  it('builds the image into the engine and the registry receives nothing', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.pushed).toBe('false');
    expect(run.outputs.digest).toBe('');
    expect(run.outputs['image-id']).toMatch(/^sha256:/);
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${s.registry}/${repo}:v2.0.0`]).trim()).toBe(run.outputs['image-id']);
    expect(await registryTags(s, repo)).toEqual([]);
  });
});

describe('clear failures', () => {
  it('shows the compiler error when the code does not compile, and pushes nothing', async () => {
    const ws = workspace('__tests__/fixtures/maven-broken');
    const repo = uniqueRepo('broken');
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password },
    });
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error::The maven build .* exited with code 1/);
    expect(run.main.log).toMatch(/COMPILATION ERROR|cannot find symbol|error:/);
    expect(await registryTags(s, repo)).toEqual([]);
    expect(dockerConfigsLeft(run)).toEqual([]);
  });
});

