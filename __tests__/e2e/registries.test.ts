import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlakyRelay } from '../support/relay.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { daemonJsonPath, docker, PREBUILT, prebuiltWorkspace, registryDigest, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const indent = (text: string, n: number) => text.trim().split('\n').map((l) => ' '.repeat(n) + l).join('\n');

function authEntry(registry: string, password: string, ca?: string): string {
  return `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${password}\n${ca ? `  ca: |\n${indent(ca, 4)}\n` : ''}`;
}

function expectNoSecret(run: ActionRun, ...secrets: string[]): void {
  for (const secret of secrets) expect(run.everything).not.toContain(secret);
}

// image store: docker push goes through containerd's resolver or the classic distribution pusher, each reading certs.d itself
describe('two registries at once, one behind a CA given only through `ca`', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('multi');
  let run: ActionRun;
  let certDir: string;
  beforeAll(async () => {
    certDir = `/etc/docker/certs.d/${s.tlsRegistry}`;
    expect(existsSync(certDir), 'the engine must not trust the test CA beforehand').toBe(false);
    const ws = prebuiltWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.4.0'),
      env: ws.env,
      inputs: {
        images: `${s.registry}/${repo}\n${s.tlsRegistry}/${repo}`,
        tags: 'type=semver,pattern={{version}}',
        'registry-auth': authEntry(s.registry, s.password) + authEntry(s.tlsRegistry, s.password, readFileSync(s.caFile, 'utf8')),
        ...PREBUILT,
      },
    });
  });

  it('pushes the same digest to both', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    const digest = run.outputs.digest;
    expect(await registryDigest(s, repo, '1.4.0')).toBe(digest);
    expect(await registryDigest(s, repo, '1.4.0', s.tlsRegistry)).toBe(digest);
    const meta = JSON.parse(run.outputs.metadata) as { registries: { registry: string; pushed: boolean; digest: string }[] };
    expect(meta.registries.map((r) => [r.registry, r.pushed, r.digest])).toEqual([
      [s.registry, true, digest],
      [s.tlsRegistry, true, digest],
    ]);
  });

  it('restores the engine trust in post, and leaks no password', () => {
    expect(run.post.code, run.post.log).toBe(0);
    expect(run.post.log).toContain(`Removed ${certDir}/ca.crt`);
    expect(existsSync(certDir)).toBe(false);
    expectNoSecret(run, s.password);
  });
});

describe('a registry that answers 503 for 8 seconds', () => {
  const repo = uniqueRepo('flaky');
  const relay = new FlakyRelay({ host: '127.0.0.1', port: Number(s?.registry.split(':')[1] ?? 5000) }, 8000);
  let run: ActionRun;
  let host: string;
  beforeAll(async () => {
    host = `127.0.0.1:${await relay.start()}`;
    const ws = prebuiltWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${host}/${repo}`, 'registry-auth': authEntry(s.registry, s.password) + authEntry(host, s.password), ...PREBUILT },
    });
  });
  afterAll(() => relay.stop());

  it('retries with backoff, logs why, and publishes', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(relay.refused).toBeGreaterThan(0);
    expect(run.main.log).toMatch(/::warning::Retry 1 in \d+\.\d s: .*503/);
    expect(await registryDigest(s, repo, 'v1.0.0')).toBe(run.outputs.digest);
    expectNoSecret(run, s.password);
  });
});

// image store: each store's pusher decides plain HTTP from insecure-registries in its own way
describe('insecure-registries: plain HTTP beyond 127.0.0.0/8', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('insecure');
  let run: ActionRun;
  let daemonJsonBefore: string;
  beforeAll(async () => {
    daemonJsonBefore = readFileSync(daemonJsonPath(), 'utf8');
    const ws = prebuiltWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: {
        images: `${s.v6HttpRegistry}/${repo}`,
        'registry-auth': authEntry(s.registry, s.password) + authEntry(s.v6HttpRegistry, s.password),
        'insecure-registries': s.v6HttpRegistry,
        ...PREBUILT,
      },
    });
  });

  it('logs in and pushes over HTTP, then puts daemon.json back', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    expect(run.post.code, run.post.log).toBe(0);
    expect(readFileSync(daemonJsonPath(), 'utf8')).toBe(daemonJsonBefore);
    const info = JSON.parse(docker(['info', '--format', '{{json .RegistryConfig.IndexConfigs}}'])) as Record<string, unknown>;
    expect(Object.keys(info)).not.toContain(s.v6HttpRegistry);
  });

  it('without the opt-in the engine refuses plain HTTP', async () => {
    const ws = prebuiltWorkspace();
    const refused = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.1'),
      env: ws.env,
      inputs: { images: `${s.v6HttpRegistry}/${repo}`, 'registry-auth': authEntry(s.registry, s.password) + authEntry(s.v6HttpRegistry, s.password), retries: '0', ...PREBUILT },
    });
    expect(refused.main.code).not.toBe(0);
    expect(refused.main.log).toMatch(/HTTP response to HTTPS client/);
  });
});

describe('secrets hygiene in the image', () => {
  it('a BuildKit secret reaches RUN but not the history, the config, argv or the logs', async () => {
    const ws = prebuiltWorkspace();
    // the RUN line may only hold a hash of the value: RUN lines are part of the history
    const md5 = createHash('md5').update('s3cr3t-build-value-77').digest('hex');
    appendFileSync(path.join(ws.dir, 'Dockerfile'), `RUN --mount=type=secret,id=npmtoken test "$(md5sum < /run/secrets/npmtoken | cut -c1-32)" = "${md5}"\n`);
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: {
        images: `${s.registry}/${uniqueRepo('secret')}`,
        registry: s.registry,
        username: s.user,
        password: s.password,
        push: 'false',
        network: 'host',
        secrets: 'npmtoken=s3cr3t-build-value-77',
        'build-args': 'NPM_TOKEN_NAME=npmtoken',
        ...PREBUILT,
      },
    });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain("::warning::Input 'build-args': NPM_TOKEN_NAME looks like a secret");
    const id = run.outputs['image-id'];
    expect(docker(['history', '--no-trunc', id])).not.toContain('s3cr3t-build-value-77');
    expect(docker(['image', 'inspect', id])).not.toContain('s3cr3t-build-value-77');
    expectNoSecret(run, 's3cr3t-build-value-77', s.password);
  });
});
