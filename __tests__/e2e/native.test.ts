import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/containers.ts';
import { withEngineTrust } from '../support/engine-trust.ts';
import { branchEvent } from '../support/events.ts';
import { contextWorkspace, privateDocker, readImage } from '../support/native.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { registryDigest, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

/** A PATH with git and nothing else: no docker binary anywhere on it. */
function pathWithoutDocker(): string {
  const bin = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-nodocker-')), 'bin');
  mkdirSync(bin);
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), path.join(bin, 'git'));
  return bin;
}

// a port free on this machine now: the image's httpd listens there on the host network
const PORT = await freePort();
const site = {
  Dockerfile: `ARG BASE\nFROM \${BASE}\nWORKDIR /www\nCOPY site/ ./\nEXPOSE ${PORT}\nENTRYPOINT ["httpd", "-f", "-p", "${PORT}", "-h", "/www"]\n`,
  'site/index.html': '<h1>built without a daemon</h1>\n',
};

function inputs(repo: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'java-tool': 'none',
    images: `${s.registry}/${repo}`,
    tags: 'type=raw,value=v1',
    'build-args': `BASE=${s.baseImage}`,
    registry: s.registry,
    username: s.user,
    password: s.password,
    cache: 'false',
    builder: 'auto',
    ...extra,
  };
}

describe('with docker removed from PATH: built, pushed, then pulled by digest and answering', () => {
  const repo = uniqueRepo('native-run');
  let run: ActionRun;
  let again: ActionRun;
  let container = '';
  let pulled = '';
  let docker: (args: string[]) => string = () => '';
  beforeAll(async () => {
    const ws = contextWorkspace(site);
    const env = { PATH: pathWithoutDocker() };
    run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(repo), env });
    again = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(repo, { tags: 'type=raw,value=v1\ntype=raw,value=v2' }), env });
  });
  afterAll(() => {
    // only what this test made: its container and the image it pulled
    if (container) docker(['rm', '-f', container]);
    if (pulled) docker(['image', 'rm', pulled]);
  });

  it('chose the native builder by itself and pushed by digest', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain('Builder: native, since it supports every instruction of the Dockerfile');
    expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const img = await readImage(s, repo, 'v1');
    expect(run.outputs['image-id']).toBe(img.manifest.config.digest);
    const meta = JSON.parse(run.outputs.metadata) as { builder: string; registries: { registry: string; digest: string; uploadedBytes: number }[] };
    expect(meta.builder).toBe('native');
    expect(meta.registries[0]).toMatchObject({ registry: s.registry, digest: run.outputs.digest });
    expect(meta.registries[0].uploadedBytes).toBeGreaterThan(0);
    // the base's 64 MB layer was mounted, not uploaded
    expect(meta.registries[0].uploadedBytes).toBeLessThan(100 * 1024);
    expect(readFileSync(run.summaryFile, 'utf8')).toContain('**Builder:** native');
  });

  it('gives the same digest for the same commit, and uploads no layer again', () => {
    expect(again.main.code, again.main.log).toBe(0);
    expect(again.outputs.digest).toBe(run.outputs.digest);
    const meta = JSON.parse(again.outputs.metadata) as { registries: { uploadedBytes: number }[] };
    expect(meta.registries[0].uploadedBytes).toBe(0);
  });

  it('runs: pulled by digest, it answers over HTTP', async () => {
    docker = privateDocker(s);
    pulled = `${s.registry}/${repo}@${run.outputs.digest}`;
    container = docker(['run', '-d', '--network', 'host', pulled]).trim();
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${PORT}/index.html`, { signal: AbortSignal.timeout(2000) })
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 200));
    }
    expect(body).toBe('<h1>built without a daemon</h1>\n');
  });
});

describe('linux/amd64 and linux/arm64 from the base index', () => {
  const repo = uniqueRepo('native-multi');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = contextWorkspace(site);
    const multi = process.env.BASE_IMAGE_MULTI ?? `${s.baseImage}-multi`;
    run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(repo, { builder: 'native', platforms: 'linux/amd64,linux/arm64', 'build-args': `BASE=${multi}` }) });
  });

  it('pushes an OCI index whose arm64 entry has its own config and the shared app layers (checked by buildx imagetools)', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    const tool = privateDocker(s);
    const raw = JSON.parse(tool(['buildx', 'imagetools', 'inspect', '--raw', `${s.registry}/${repo}:v1`])) as { mediaType: string; manifests: { digest: string; platform: Record<string, string> }[] };
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(raw.manifests.map((m) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
    const arm = JSON.parse(tool(['buildx', 'imagetools', 'inspect', '--format', '{{json .Image}}', `${s.registry}/${repo}:v1`])) as Record<string, { architecture: string; config: { Entrypoint: string[]; WorkingDir: string } }>;
    expect(arm['linux/arm64/v8'] ?? arm['linux/arm64']).toMatchObject({ architecture: 'arm64', config: { WorkingDir: '/www', Entrypoint: ['httpd', '-f', '-p', String(PORT), '-h', '/www'] } });
    const [amd, arm64] = await Promise.all(raw.manifests.map((m) => readImage(s, repo, m.digest)));
    expect(amd.manifest.layers.slice(-2)).toEqual(arm64.manifest.layers.slice(-2));
    expect(arm64.manifest.layers).toHaveLength(3);
    // the digest output is the index's
    expect(run.outputs.digest).toBe(await registryDigest(s, repo, 'v1'));
  });

});

describe('three registries at once: HTTP with auth, TLS with the CA given only in the input, plain HTTP on ::1', () => {
  const repo = uniqueRepo('native-three');
  let run: ActionRun;
  let trustedAfter: boolean;
  beforeAll(async () => {
    const ws = contextWorkspace(site);
    const indent = (text: string): string => text.trim().split('\n').map((l) => `    ${l}`).join('\n');
    const auth = (registry: string, ca?: string): string => `- registry: "${registry}"\n  username: ${s.user}\n  password: ${s.password}\n${ca ? `  ca: |\n${indent(ca)}\n` : ''}`;
    // no docker-builder run of another file holds the test CA in certs.d meanwhile: what is there after is this run's
    trustedAfter = await withEngineTrust(async () => {
      run = await runAction({
        workspace: ws.dir,
        event: branchEvent(ws.sha, 'main'),
        env: { PATH: pathWithoutDocker() },
        inputs: {
          'java-tool': 'none',
          images: `${s.registry}/${repo}\n${s.tlsRegistry}/${repo}\n${s.v6HttpRegistry}/${repo}`,
          tags: 'type=raw,value=v1',
          'build-args': `BASE=${s.baseImage}`,
          'registry-auth': auth(s.registry) + auth(s.tlsRegistry, readFileSync(s.caFile, 'utf8')) + auth(s.v6HttpRegistry),
          'insecure-registries': s.v6HttpRegistry,
          cache: 'false',
          builder: 'auto',
        },
      });
      return existsSync(`/etc/docker/certs.d/${s.tlsRegistry}`);
    });
  });

  it('pushes the same digest to each, mounting the base where it lives and copying it elsewhere', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    const meta = JSON.parse(run.outputs.metadata) as { registries: { registry: string; digest: string; pushed: boolean; uploadedBytes: number }[] };
    expect(meta.registries.map((r) => [r.registry, r.pushed, r.digest])).toEqual([s.registry, s.tlsRegistry, s.v6HttpRegistry].map((r) => [r, true, run.outputs.digest]));
    expect(await registryDigest(s, repo, 'v1', s.tlsRegistry)).toBe(run.outputs.digest);
    expect(await registryDigest(s, repo, 'v1', s.v6HttpRegistry)).toBe(run.outputs.digest);
    // the base layer (64 MB) is mounted on the base's registry; the others get a copy, once
    expect(meta.registries[0].uploadedBytes).toBeLessThan(100 * 1024);
    expect(meta.registries[1].uploadedBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(trustedAfter).toBe(false);
  });
});

// image store: docker load of the native image's archive, into either store
describe('load: true also loads the native image into the local engine', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('native-load');
  const ref = () => `${s.registry}/${repo}:v1`;
  let run: ActionRun;
  beforeAll(async () => {
    const ws = contextWorkspace(site);
    run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(repo, { builder: 'native', load: 'true' }) });
  });
  afterAll(() => {
    execFileSync('docker', ['image', 'rm', ref()], { stdio: 'ignore', timeout: 60000 });
  });

  it('the engine has the tag, with the config the registry has', () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain(`Loaded into the local engine: ${ref()}`);
    const inspected = JSON.parse(execFileSync('docker', ['image', 'inspect', '--format', '{{json .Config}}', ref()], { encoding: 'utf8', timeout: 60000 })) as { Entrypoint: string[]; WorkingDir: string };
    expect(inspected).toMatchObject({ WorkingDir: '/www', Entrypoint: ['httpd', '-f', '-p', String(PORT), '-h', '/www'] });
  });
});
