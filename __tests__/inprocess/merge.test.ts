// The merge job's refusals and a leg's digest file, against two in-memory registries: a refused merge writes no tag
// on either registry. The merge itself, checked with skopeo and imagetools on the real registries, is e2e/merge.test.ts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchEvent } from '../support/events.ts';
import { pushLeg } from '../support/legs.ts';
import type { GitEvent } from '../support/runner.ts';
import { fakeBuilders, type FakeBuilds } from './support/builder.ts';
import { appWorkspace, PASSWORD, seedBase, startRegistry, USER } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

const SHA = createHash('sha1').update('merge-inprocess').digest('hex');
const OTHER_SHA = createHash('sha1').update('other-inprocess').digest('hex');
const creds = { user: USER, password: PASSWORD };

let a: MemoryRegistry;
let b: MemoryRegistry;
const hosts = (): string[] => [a.host, b.host];
beforeAll(async () => {
  [a, b] = await Promise.all([startRegistry(), startRegistry()]);
});
afterAll(() => Promise.all([a.stop(), b.stop()]));

const auth = (registries: readonly string[]): string => registries.map((r) => `- registry: "${r}"\n  username: ${USER}\n  password: ${PASSWORD}\n`).join('');

function event(): GitEvent {
  const repository = { name: 'hello-service', full_name: 'acme/hello-service', default_branch: 'main' };
  return { name: 'push', ref: 'refs/heads/main', sha: SHA, payload: { ref: 'refs/heads/main', repository, head_commit: { id: SHA, timestamp: '2026-11-01T12:00:00Z' } } };
}

/** The merge job's step: an empty workspace (no checkout), both registries with credentials. */
function merge(repo: string, mergeDigests: string, workspace = mkdtempSync(path.join(os.tmpdir(), 'ip-merge-ws-')), extra: Record<string, string> = {}): Promise<InProcessRun> {
  return runInProcess({
    workspace,
    event: event(),
    inputs: { images: hosts().map((r) => `${r}/${repo}`).join('\n'), tags: 'type=raw,value=v1\ntype=sha', 'registry-auth': auth(hosts()), 'merge-digests': mergeDigests, cache: 'false', ...extra },
  });
}

function expectNoTag(repo: string): void {
  for (const reg of [a, b]) expect(reg.tags(repo), reg.host).toEqual([]);
}

describe('refused merges push no tag on either registry', () => {
  it('a digest missing from one registry', async () => {
    const repo = 'acme/merge-missing';
    const amd = await pushLeg(creds, hosts(), repo, 'linux/amd64', SHA);
    const arm = await pushLeg(creds, [a.host], repo, 'linux/arm64', SHA);
    const run = await merge(repo, `${amd.digest}\n${arm.digest}`);
    expect(run.error).toBeDefined();
    expect(run.log + run.error).toContain(`${arm.digest} is missing from ${b.host}/${repo} on ${b.host}`);
    expect(run.log + run.error).toContain('same `images`');
    expectNoTag(repo);
  });

  it('legs of two commits', async () => {
    const repo = 'acme/merge-commits';
    const amd = await pushLeg(creds, hosts(), repo, 'linux/amd64', SHA);
    const arm = await pushLeg(creds, hosts(), repo, 'linux/arm64', OTHER_SHA);
    const run = await merge(repo, `${amd.digest}\n${arm.digest}`);
    expect(run.error).toContain(`${arm.digest} (linux/arm64) was built from commit ${OTHER_SHA}, but this run is at ${SHA}`);
    expectNoTag(repo);
  });

  it('two digests of one platform', async () => {
    const repo = 'acme/merge-twice';
    const oci = await pushLeg(creds, hosts(), repo, 'linux/amd64', SHA, 'oci');
    const docker = await pushLeg(creds, hosts(), repo, 'linux/amd64', SHA, 'docker');
    const run = await merge(repo, `${oci.digest}\n${docker.digest}`);
    expect(run.error).toContain(`${oci.digest} and ${docker.digest} both claim linux/amd64`);
    expectNoTag(repo);
  });

  it('sbom with merge-digests: refused by name before anything is read or pushed', async () => {
    const repo = 'acme/merge-sbom';
    const amd = await pushLeg(creds, hosts(), repo, 'linux/amd64', SHA);
    const before = a.requests.length + b.requests.length;
    const run = await merge(repo, amd.digest, undefined, { sbom: 'true' });
    expect(run.error).toContain("Input 'sbom': is not supported together with merge-digests");
    expect(a.requests.length + b.requests.length).toBe(before);
    expectNoTag(repo);
  });

  it('an empty folder of digest files: refused, saying how to download them', async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'ip-merge-ws-'));
    mkdirSync(path.join(ws, 'digests'));
    const run = await merge('acme/merge-empty', 'digests', ws);
    expect(run.error).toContain("Input 'merge-digests': the folder");
    expect(run.error).toContain('merge-multiple: true');
  });
});

describe('a push-by-digest leg', () => {
  it('pushes to both registries with no tag, and writes the digest file the merge job reads', async () => {
    const repo = 'acme/leg';
    const ws = appWorkspace();
    const run = await runInProcess({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      inputs: { 'java-tool': 'none', builder: 'native', platforms: 'linux/arm64', 'push-by-digest': 'true', images: hosts().map((r) => `${r}/${repo}`).join('\n'), tags: 'type=raw,value=v1', 'registry-auth': auth(hosts()), cache: 'false' },
    });
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const reg of [a, b]) {
      expect(reg.tags(repo), reg.host).toEqual([]);
      expect(reg.manifest(repo, run.outputs.digest), reg.host).toBeDefined();
    }
    const dir = path.join(run.runnerTemp, 'image-publish-digests');
    expect(readdirSync(dir)).toEqual(['linux-arm64']);
    expect(JSON.parse(readFileSync(path.join(dir, 'linux-arm64'), 'utf8'))).toEqual({ platform: 'linux/arm64', digest: run.outputs.digest, commit: ws.sha, images: hosts().map((r) => `${r}/${repo}`) });
    const meta = JSON.parse(run.outputs.metadata) as { registries: { registry: string; refs: string[] }[] };
    expect(meta.registries.map((r) => [r.registry, r.refs])).toEqual(hosts().map((r) => [r, [`${r}/${repo}@${run.outputs.digest}`]]));
  });
});

describe('a leg refused before anything runs', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['sbom on a leg', { sbom: 'true' }, /^Input 'sbom': a push-by-digest leg .*merge job/],
    ['provenance: true on a leg', { provenance: 'true' }, /^Input 'provenance': a push-by-digest leg .*merge job/],
  ])('%s', async (_, extra, msg) => {
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const ws = appWorkspace();
    const run = await runInProcess({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      inputs: { 'java-tool': 'none', builder: 'native', 'push-by-digest': 'true', images: `${a.host}/acme/leg-refused`, 'registry-auth': auth([a.host]), ...extra },
      builders: fakeBuilders(calls),
    });
    expect(run.error).toMatch(msg);
    expect(run.log).not.toContain('Build the image');
    expect(calls.kinds).toEqual([]);
    expect(existsSync(path.join(run.runnerTemp, 'image-publish-digests'))).toBe(false);
  });

  it('a native leg on a multi-arch base without platforms fails before pushing (the real native builder)', async () => {
    const base = `${a.host}/base/multi:1`;
    seedBase(a, 'base/multi', '1', ['linux/amd64', 'linux/arm64/v8']);
    const ws = appWorkspace(base);
    const before = a.requests.length;
    const run = await runInProcess({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      inputs: { 'java-tool': 'none', builder: 'native', 'push-by-digest': 'true', images: `${a.host}/acme/leg-noplatform`, 'registry-auth': auth([a.host]), cache: 'false' },
      builders: 'real',
    });
    expect(run.error).toMatch(/^Input 'platforms': push-by-digest pushes one platform per leg.*set `platforms` to the leg's platform/);
    expect(run.outputs.pushed).toBe('false');
    expect(run.outputs.digest ?? '').toBe('');
    expect(a.requests.slice(before).filter((r) => r.path.includes('acme/leg-noplatform') && r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  });
});
