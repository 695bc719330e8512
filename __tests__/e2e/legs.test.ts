import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/containers.ts';
import { withEngineTrust } from '../support/engine-trust.ts';
import { branchEvent } from '../support/events.ts';
import { contextWorkspace, privateDocker } from '../support/native.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { classicStore, docker, PREBUILT, prebuiltWorkspace, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const indent = (text: string, n: number) => text.trim().split('\n').map((l) => ' '.repeat(n) + l).join('\n');
function authEntry(registry: string, ca?: string): string {
  return `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${s.password}\n${ca ? `  ca: |\n${indent(ca, 4)}\n` : ''}`;
}

/**
 * skopeo, a tool other than ours, with credentials in an auth file and the test CA in a cert dir. skopeo 1.9 cannot
 * parse `[::1]:5001`, so that registry is named by the test host name, which /etc/hosts maps to ::1.
 */
function skopeo(args: string[], registry: string, image: string, digest: string): Buffer {
  const host = registry === s.v6HttpRegistry ? `${s.tlsRegistry.split(':')[0]}:${registry.split(':').pop()}` : registry;
  const ref = `${host}/${image}@${digest}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-legs-skopeo-'));
  const authfile = path.join(dir, 'auth.json');
  writeFileSync(authfile, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }), { mode: 0o600 });
  let tls = ['--tls-verify=false'];
  if (registry === s.tlsRegistry) {
    mkdirSync(path.join(dir, 'certs'));
    writeFileSync(path.join(dir, 'certs/ca.crt'), readFileSync(s.caFile));
    tls = ['--cert-dir', path.join(dir, 'certs')];
  }
  return execFileSync('skopeo', [...args, '--authfile', authfile, ...tls, `docker://${ref}`], { timeout: 60 * 1000 });
}

/** Every tag of a repository, asked over HTTP(S): [] when the registry lists none (404 for a repository without tags). */
async function tagsOf(registry: string, repo: string): Promise<string[]> {
  const headers = { authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}` };
  const url = `${registry === s.tlsRegistry ? 'https' : 'http'}://${registry}/v2/${repo}/tags/list`;
  const { status, body } =
    registry === s.tlsRegistry
      ? await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = https.get(url, { headers, ca: readFileSync(s.caFile), timeout: 10000 }, (res) => {
            let b = '';
            res.on('data', (c: Buffer) => (b += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
          });
          req.on('timeout', () => req.destroy(new Error('timed out')));
          req.on('error', reject);
        })
      : await fetch(url, { headers, signal: AbortSignal.timeout(10000) }).then(async (r) => ({ status: r.status, body: await r.text() }));
  if (status === 404) return [];
  if (status !== 200) throw new Error(`tags/list of ${registry}/${repo}: HTTP ${status} ${body}`);
  return (JSON.parse(body) as { tags?: string[] | null }).tags ?? [];
}

interface Leg {
  name: string;
  run: () => Promise<{ run: ActionRun; sha: string }>;
  registries: () => string[];
  platform: string;
  file: string;
}

const nativeRepo = uniqueRepo('leg-native');
const dockerRepo = uniqueRepo('leg-docker');
const site = { Dockerfile: 'ARG BASE\nFROM ${BASE}\nWORKDIR /www\nCOPY site/ ./\n', 'site/index.html': '<h1>a leg</h1>\n' };

const legs: Leg[] = [
  {
    name: 'native builder, linux/arm64 of the multi-arch base',
    platform: 'linux/arm64',
    file: 'linux-arm64',
    registries: () => [s.registry, s.v6HttpRegistry],
    run: async () => {
      const ws = contextWorkspace(site);
      const multi = process.env.BASE_IMAGE_MULTI ?? `${s.baseImage}-multi`;
      const run = await runAction({
        workspace: ws.dir,
        event: branchEvent(ws.sha, 'main'),
        inputs: {
          'java-tool': 'none',
          builder: 'native',
          platforms: 'linux/arm64',
          'push-by-digest': 'true',
          images: `${s.registry}/${nativeRepo}\n${s.v6HttpRegistry}/${nativeRepo}`,
          tags: 'type=raw,value=v1',
          'build-args': `BASE=${multi}`,
          'registry-auth': authEntry(s.registry) + authEntry(s.v6HttpRegistry),
          cache: 'false',
        },
      });
      return { run, sha: ws.sha };
    },
  },
  {
    name: 'docker builder (docker driver), linux/amd64',
    platform: 'linux/amd64',
    file: 'linux-amd64',
    registries: () => [s.registry, s.tlsRegistry],
    run: async () => {
      const ws = prebuiltWorkspace();
      // the docker builder makes the engine trust the test CA until post
      const run = await withEngineTrust(() =>
        runAction({
          workspace: ws.dir,
          event: branchEvent(ws.sha, 'main'),
          env: ws.env,
          inputs: {
            ...PREBUILT,
            builder: 'docker',
            platforms: 'linux/amd64',
            'push-by-digest': 'true',
            images: `${s.registry}/${dockerRepo}\n${s.tlsRegistry}/${dockerRepo}`,
            tags: 'type=raw,value=v1\ntype=sha',
            'registry-auth': authEntry(s.registry) + authEntry(s.tlsRegistry, readFileSync(s.caFile, 'utf8')),
          },
        }),
      );
      return { run, sha: ws.sha };
    },
  },
];

describe.each(legs)('a push-by-digest leg: $name', (leg) => {
  let run: ActionRun;
  let sha = '';
  const repo = leg === legs[0] ? nativeRepo : dockerRepo;
  beforeAll(async () => {
    ({ run, sha } = await leg.run());
  }, 10 * 60 * 1000);

  it('pushes, outputs the digest, and writes no tag to either registry', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.post.code, run.post.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const registry of leg.registries()) expect(await tagsOf(registry, repo), registry).toEqual([]);
    const meta = JSON.parse(run.outputs.metadata) as { registries: { registry: string; pushed: boolean; digest: string; refs: string[] }[] };
    expect(meta.registries.map((r) => [r.registry, r.pushed, r.digest, r.refs])).toEqual(leg.registries().map((r) => [r, true, run.outputs.digest, [`${r}/${repo}@${run.outputs.digest}`]]));
  });

  it('every registry serves that digest (skopeo) as one manifest of the platform, labelled with the commit', () => {
    for (const registry of leg.registries()) {
      const raw = skopeo(['inspect', '--raw'], registry, repo, run.outputs.digest);
      expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`, registry).toBe(run.outputs.digest);
      const manifest = JSON.parse(raw.toString()) as { mediaType: string; config?: object; layers: { mediaType: string }[] };
      expect(manifest.config, 'a platform manifest, not an index').toBeDefined();
      expect(manifest.layers.every((l) => l.mediaType.endsWith('gzip')), 'every layer compressed').toBe(true);
      const config = JSON.parse(skopeo(['inspect', '--config', '--raw'], registry, repo, run.outputs.digest).toString()) as { os: string; architecture: string; variant?: string; config: { Labels: Record<string, string> } };
      // the config may say arm64/v8: containerd's normal form (and the digest file's) drops that default variant
      expect([config.os, config.architecture, config.variant].filter(Boolean).join('/').replace(/^linux\/arm64\/v8$/, 'linux/arm64'), registry).toBe(leg.platform);
      expect(config.config.Labels['org.opencontainers.image.revision']).toBe(sha);
    }
  });

  it('writes the digest file named for the platform into $RUNNER_TEMP/image-publish-digests', () => {
    const dir = path.join(run.runnerTemp, 'image-publish-digests');
    expect(readdirSync(dir)).toEqual([leg.file]);
    const text = readFileSync(path.join(dir, leg.file), 'utf8');
    expect(text.endsWith('\n') && text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toEqual({ platform: leg.platform, digest: run.outputs.digest, commit: sha, images: leg.registries().map((r) => `${r}/${repo}`) });
    expect(run.main.log).toContain(`written to ${path.join(dir, leg.file)}`);
  });
});

// image store: docker save gives the containerd store's own compressed blobs, or the classic store's plain tars that we gzip
describe('the docker leg on this engine', { tags: ['image-store'] }, () => {
  let run: ActionRun;
  const repo = uniqueRepo('leg-engine');
  let pulled = '';
  let container = '';
  let tool: (args: string[]) => string = () => '';
  beforeAll(async () => {
    const ws = prebuiltWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      env: ws.env,
      inputs: { ...PREBUILT, builder: 'docker', 'push-by-digest': 'true', images: `${s.registry}/${repo}`, tags: 'type=raw,value=v1', 'registry-auth': authEntry(s.registry) },
    });
  }, 10 * 60 * 1000);
  afterAll(() => {
    if (container) tool(['rm', '-f', container]);
    if (pulled) tool(['image', 'rm', pulled]);
  });

  it('leaves no name of its own in the engine, and reuses the base layers instead of uploading them', () => {
    expect(run.main.code, run.main.log).toBe(0);
    const own = /image-publish-local\/run-[0-9a-f]+:build/.exec(run.main.log)?.[0];
    expect(own, 'the build names its own image').toBeDefined();
    expect(() => docker(['image', 'inspect', own!])).toThrow();
    // the base's layer is mounted from base/jre on the same registry (the classic store: its gzip blob found by diff_id)
    const meta = JSON.parse(run.outputs.metadata) as { registries: { uploadedBytes: number }[] };
    expect(meta.registries[0].uploadedBytes).toBeGreaterThan(0);
    expect(meta.registries[0].uploadedBytes).toBeLessThan(5 * 1024 * 1024);
    // the containerd store's own manifest goes as it is: the registry's digest is the engine's image ID
    if (classicStore()) expect(run.main.log).toMatch(/1 of 2 layer\(s\) reused compressed from 127\.0\.0\.1:5000\/base\/jre/);
    else expect(run.outputs.digest).toBe(run.outputs['image-id']);
  });

  it('runs by digest and answers over HTTP', async () => {
    tool = privateDocker(s);
    pulled = `${s.registry}/${repo}@${run.outputs.digest}`;
    const port = String(await freePort());
    container = tool(['run', '-d', '--network', 'host', '-e', `PORT=${port}`, pulled]).trim();
    let body = '';
    for (let i = 0; i < 100 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/hello`, { signal: AbortSignal.timeout(2000) })
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 200));
    }
    expect(body).toBe('hello docker');
  });
});

