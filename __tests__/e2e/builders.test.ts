// @module-tag engine-settings (a docker context of its own, and the whole `buildx ls` and `docker context ls` compared before and after: runs alone)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchEvent } from '../support/events.ts';
import { contextWorkspace } from '../support/native.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { docker, registryDigest, registryTags, services, uniqueRepo, type Services } from '../support/services.ts';

// Runs on whichever engine DOCKER_HOST names.
// A docker-container, remote, kubernetes or cloud builder cannot be started on this closed network (no BuildKit image
// to pull): their argv is covered by __tests__/unit/buildx.test.ts. Here: a second builder of the docker driver.

const s: Services = services();
const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** A context on the engine under test: buildx lists it as a builder of that name, with the docker driver. */
const BUILDER = `ip-${unique}`;

/**
 * `Last Activity` is buildx's own clock of the last build on a builder (any job's), not a setting of the builder; the
 * column it adds widens the padding of the lines beside it.
 */
const settled = (text: string): string => text.replace(/^Last Activity:.*\n/m, '').replace(/^([A-Za-z][A-Za-z ]*:)[ \t]+/gm, '$1 ');

interface Seen {
  ls: string;
  named: string;
  current: string;
  contexts: string;
}

function look(): Seen {
  return {
    ls: docker(['buildx', 'ls']),
    named: docker(['buildx', 'inspect', BUILDER]),
    current: docker(['buildx', 'inspect']),
    contexts: docker(['context', 'ls']),
  };
}

function inputs(repo: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'java-tool': 'none',
    images: `${s.registry}/${repo}`,
    tags: 'type=raw,value=v1\ntype=raw,value=v2',
    'build-args': `BASE=${s.baseImage}`,
    registry: s.registry,
    username: s.user,
    password: s.password,
    network: 'host',
    builder: BUILDER,
    ...extra,
  };
}

// a RUN step: only BuildKit builds it, whatever builder `auto` would take
const files = {
  Dockerfile: 'ARG BASE\nFROM ${BASE}\nARG MARK\nRUN echo "built on a named builder $MARK" > /built.txt\nCOPY site/ /www/\n',
  'site/index.html': '<h1>named builder</h1>\n',
};

/** skopeo's view of the pushed tag (a check by another tool); credentials in an auth file, never in argv. */
function skopeoInspect(repo: string, tag: string, raw: boolean): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-builders-skopeo-'));
  const authfile = path.join(dir, 'auth.json');
  writeFileSync(authfile, JSON.stringify({ auths: { [s.registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }), { mode: 0o600 });
  try {
    return execFileSync('skopeo', ['inspect', ...(raw ? ['--raw'] : []), '--authfile', authfile, '--tls-verify=false', `docker://${s.registry}/${repo}:${tag}`], { encoding: 'utf8', timeout: 60 * 1000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('builder: <name> of a second buildx builder (docker driver, a context on this engine)', () => {
  const repo = uniqueRepo('named-builder');
  let ws: { dir: string; sha: string };
  let before: Seen;
  let after: Seen;
  let run: ActionRun;

  beforeAll(async () => {
    docker(['context', 'create', BUILDER, '--docker', `host=${process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'}`]);
    before = look();
    ws = contextWorkspace(files);
    run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(repo, { 'build-args': `BASE=${s.baseImage}\nMARK=${repo}` }) });
    after = look();
  }, 10 * 60 * 1000);

  afterAll(() => {
    // only what this test made: the engine's tags of its image, its context, and buildx's records of that builder
    docker(['context', 'rm', BUILDER]);
    // a failed run may have left no tag: removing one that is not there only fails that call
    for (const tag of ['v1', 'v2']) spawnSync('docker', ['image', 'rm', `${s.registry}/${repo}:${tag}`], { stdio: 'ignore', timeout: 60 * 1000 });
    const buildxDir = path.join(process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), 'buildx');
    for (const sub of ['activity', 'refs']) rmSync(path.join(buildxDir, sub, BUILDER), { recursive: true, force: true });
  });

  it('is a builder of the docker driver here', () => {
    expect(before.ls).toMatch(new RegExp(`^${BUILDER}\\s+docker\\s*$`, 'm'));
    expect(before.named).toMatch(/^Driver:\s+docker$/m);
    // a context nobody has built on yet: buildx has no activity for it
    expect(before.named).not.toMatch(/^Last Activity:/m);
  });

  it('builds on that builder and pushes every tag to the registry', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.post.code, run.post.log).toBe(0);
    expect(run.main.log).toContain(`Building on buildx builder "${BUILDER}" (driver docker, endpoint ${BUILDER}`);
    expect(run.main.log).toMatch(new RegExp(`\\[command\\]\\S*docker buildx build --builder ${BUILDER} `));
    // the build ran on that builder: buildx now records an activity for it
    expect(after.named).toMatch(/^Last Activity:/m);
    expect(run.outputs.pushed).toBe('true');
    const digest = run.outputs.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryDigest(s, repo, 'v1')).toBe(digest);
    expect(await registryDigest(s, repo, 'v2')).toBe(digest);
    const seen = JSON.parse(skopeoInspect(repo, 'v2', false)) as { Digest: string; Labels: Record<string, string> };
    expect(seen.Digest).toBe(digest);
    expect(seen.Labels['org.opencontainers.image.revision']).toBe(ws.sha);
  });

  it('leaves every builder, the current one and the contexts as they were', () => {
    expect(after.ls).toBe(before.ls);
    expect(settled(after.named)).toBe(settled(before.named));
    expect(settled(after.current)).toBe(settled(before.current));
    expect(after.contexts).toBe(before.contexts);
  });
});

describe('builder: <name> of a builder that does not exist', () => {
  const repo = uniqueRepo('missing-builder');
  let run: ActionRun;

  beforeAll(async () => {
    const ws = contextWorkspace(files);
    run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(repo, { builder: `ip-missing-${unique}` }) });
  }, 5 * 60 * 1000);

  it('fails on the input, naming the fix, before any login or push', async () => {
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toContain(`Input 'builder': no buildx builder "ip-missing-${unique}"`);
    expect(run.main.log).toContain('docker/setup-buildx-action');
    expect(run.main.log).not.toContain('Log in to the registries');
    expect(run.main.log).not.toContain('docker buildx build');
    expect(await registryTags(s, repo)).toEqual([]);
  });
});
