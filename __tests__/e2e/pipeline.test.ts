import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, httpGetWithin } from '../support/containers.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.js';
import { docker, registryDigest, registryTags, services, SPRING_BOOT, uniqueRepo, workspace, type Services } from '../support/services.js';

let s: Services;
beforeAll(() => {
  s = services();
});



function dockerConfigsLeft(run: ActionRun): string[] {
  return readdirSync(run.runnerTemp).filter((f) => f.startsWith('image-publish-docker-'));
}

describe('Spring Boot app, tutorial Dockerfile, release tag v1.2.3', () => {
  const repo = uniqueRepo('maven');
  let run: ActionRun;
  beforeAll(async () => {
    // not a test of caches: Maven starts from the machine's warmed copy of what the app needs from Central
    const ws = workspace(SPRING_BOOT, { warmMavenRepository: true });
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
    docker(['login', '--username', s.user, '--password-stdin', s.registry], s.password);
    docker(['pull', ref]);
    const port = await freePort();
    const name = `hello-${port}`;
    const child = spawn('docker', ['run', '--rm', '--name', name, '--network', 'host', '-e', `SERVER_PORT=${port}`, ref], { stdio: 'ignore' });
    try {
      expect(await httpGetWithin(`http://127.0.0.1:${port}/hello`, 60000)).toBe('Hello from image-publish');
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

describe('push: false', () => {
  const repo = uniqueRepo('nopush');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = workspace('__tests__/fixtures/maven-shaded');
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v2.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, push: 'false' },
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

describe('java-tool: none with a prebuilt jar', () => {
  it('takes the jar the artifact glob picks and runs no build tool', async () => {
    const ws = workspace('__tests__/fixtures/maven-shaded');
    execFileSync('mvn', ['-B', '-q', '-DskipTests', 'package'], { cwd: ws.dir, env: { ...process.env, ...ws.env }, stdio: 'ignore', timeout: 5 * 60 * 1000 });
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${uniqueRepo('prebuilt')}`, registry: s.registry, username: s.user, password: s.password, push: 'false', 'java-tool': 'none', artifact: 'target/hello-*.jar' },
    });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.artifact).toBe('target/hello-service-1.0.0.jar');
    expect(run.main.log).not.toContain('[INFO] BUILD SUCCESS');
    expect(run.main.log).toMatch(/\[command\]docker buildx build .*--build-arg JAR_FILE=target\/hello-service-1\.0\.0\.jar/);
  });
});

describe('a wrong password', () => {
  const repo = uniqueRepo('badpw');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = workspace('__tests__/fixtures/maven-shaded');
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: 'definitely-wrong-pw-4711' },
    });
  });

  it('fails before the Java build and any login, says the credentials were rejected, does not retry and pushes nothing', async () => {
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/Input 'password': the registry rejected the credentials/);
    expect(run.main.log).not.toMatch(/Retry \d/);
    // asked in-process, with nothing written: the build tool never runs with a wrong password to find
    expect(run.main.log).not.toContain('::group::Java build');
    expect(run.main.log).not.toContain('::group::Log in to the registries');
    expect(run.main.log).not.toContain('::group::Build the image');
    expect(run.everything).not.toContain('definitely-wrong-pw-4711');
    expect(await registryTags(s, repo)).toEqual([]);
    expect(run.post.code).toBe(0);
    expect(dockerConfigsLeft(run)).toEqual([]);
  });
});

describe('clear failures', () => {
  it('names the `file` input when the Dockerfile is missing, before logging in', async () => {
    const ws = workspace('__tests__/fixtures/maven-shaded');
    unlinkSync(path.join(ws.dir, 'Dockerfile'));
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${uniqueRepo('nofile')}`, registry: s.registry, username: s.user, password: s.password },
    });
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toContain("::error::Input 'file': no Dockerfile at \"Dockerfile\"");
    expect(run.main.log).not.toContain('::group::Log in');
  });

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

describe('dry-run', () => {
  it('prints the plan and sets the tag outputs with no docker, java, git or network', async () => {
    const ws = workspace('__tests__/fixtures/maven-shaded');
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v3.1.4'),
      env: { ...ws.env, PATH: '/nonexistent' },
      inputs: {
        images: 'acme/hello',
        tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}',
        username: 'octo',
        password: 'dry-run-secret-123',
        secrets: 'token=build-secret-456',
        'dry-run': 'true',
      },
    });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs['tag-names'].split('\n')).toEqual(['3.1.4', '3', 'latest']);
    expect(run.outputs.version).toBe('3.1.4');
    expect(run.main.log).toContain('mvn --batch-mode --no-transfer-progress -DskipTests package');
    expect(run.main.log).toContain('Expected jar: target/*.jar');
    expect(run.main.log).toContain('--build-arg JAR_FILE=<the jar, relative to the context>');
    expect(run.main.log).toContain('--secret id=token,env=IMAGE_PUBLISH_SECRET_0');
    expect(run.main.log).toContain('docker push acme/hello:3.1.4');
    expect(run.everything).not.toContain('dry-run-secret-123');
    expect(run.everything).not.toContain('build-secret-456');
  });

  it('shows bare tags in an empty workspace with no image, as metadata-action does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-empty-'));
    const run = await runAction({
      workspace: dir,
      event: tagEvent('0123456789abcdef0123456789abcdef01234567', 'v1.2.3'),
      env: { PATH: '/nonexistent' },
      inputs: { tags: 'type=semver,pattern={{version}}\ntype=sha', 'dry-run': 'true' },
    });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.tags.split('\n')).toEqual(['1.2.3', 'sha-0123456', 'latest']);
    expect(run.main.log).toContain("::warning::Input 'file': no Dockerfile");
  });
});
