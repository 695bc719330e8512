// rebase: true on two in-memory registries: the release (built by the real native builder) moved onto a patched
// base on both, with the base's new layer mounted on its own registry and copied to the other; no builder made;
// a refused rebase moves no tag on either. The rebased image running, and the bytes sent, are e2e/rebase.test.ts.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/registry/client.ts';
import type { GitEvent } from '../support/runner.ts';
import { patchBase, readTop, recordBaseByHand, recordsBase } from '../support/rebase.ts';
import { fakeBuilders, type FakeBuilds } from './support/builder.ts';
import { appWorkspace, PASSWORD, seedBase, startRegistry, USER } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

const SHA = createHash('sha1').update('rebase-inprocess').digest('hex');
const policy = { retries: 1, totalMs: 10_000, random: Math.random, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), onRetry: () => undefined };

let a: MemoryRegistry;
let b: MemoryRegistry;
let ca: RegistryClient;
let cb: RegistryClient;
beforeAll(async () => {
  [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  [ca, cb] = [a, b].map((r) => new RegistryClient({ registry: r.host, credentials: { username: USER, password: PASSWORD }, policy }));
});
afterAll(async () => {
  ca.close();
  cb.close();
  await Promise.all([a.stop(), b.stop()]);
});

function event(): GitEvent {
  const repository = { name: 'hello-service', full_name: 'acme/hello-service', default_branch: 'main' };
  return { name: 'push', ref: 'refs/heads/main', sha: SHA, payload: { ref: 'refs/heads/main', repository, head_commit: { id: SHA, timestamp: '2026-11-01T12:00:00Z' } } };
}

const auth = (): string => [a, b].map((r) => `- registry: "${r.host}"\n  username: ${USER}\n  password: ${PASSWORD}\n`).join('');

function run(ws: { dir: string }, repo: string, extra: Record<string, string>, builders: Parameters<typeof runInProcess>[0]['builders']): Promise<InProcessRun> {
  return runInProcess({
    workspace: ws.dir,
    event: event(),
    builders,
    inputs: { images: `${a.host}/${repo}\n${b.host}/${repo}`, tags: 'type=raw,value=2.0.0', 'registry-auth': auth(), 'java-tool': 'none', builder: 'native', cache: 'false', ...extra },
  });
}

/** The release on both registries, built by the real native builder, which records its base. */
async function release(repo: string, base: string, platforms: string): Promise<{ dir: string }> {
  const ws = appWorkspace(`${a.host}/${base}:17`);
  const r = await run(ws, repo, { platforms }, 'real');
  expect(r.error, r.log).toBeUndefined();
  for (const c of [ca, cb]) expect(await recordsBase(c, repo, '2.0.0')).toBe(true);
  return ws;
}

describe('a release on two registries, its base on one of them', () => {
  const repo = 'acme/rebase-two';
  const base = 'base/rebase-two';
  const builds: FakeBuilds = { kinds: [], jars: [] };
  let before: Awaited<ReturnType<typeof readTop>>;
  let oldBase: Awaited<ReturnType<typeof readTop>>;
  let rebased: InProcessRun;
  beforeAll(async () => {
    seedBase(a, base, '17', ['linux/amd64', 'linux/arm64']);
    const ws = await release(repo, base, 'linux/amd64,linux/arm64');
    before = await readTop(ca, repo, '2.0.0');
    oldBase = await readTop(ca, base, '17');
    await patchBase(ca, base, '17', 'patch-a');
    rebased = await run(ws, repo, { rebase: 'true' }, fakeBuilders(builds));
  });

  it('moves the tag on both registries to one new digest, and makes no builder', async () => {
    expect(rebased.error, rebased.log).toBeUndefined();
    expect(builds.kinds).toEqual([]);
    expect(rebased.outputs.rebase).toBe('rebased');
    const digest = rebased.outputs.digest;
    expect(digest).not.toBe(before.digest);
    for (const c of [ca, cb]) expect((await c.headManifest(repo, '2.0.0'))?.digest).toBe(digest);
    const meta = JSON.parse(rebased.outputs.metadata) as { registries: { registry: string; pushed: boolean }[] };
    expect(meta.registries.map((r) => [r.registry, r.pushed])).toEqual([
      [a.host, true],
      [b.host, true],
    ]);
  });

  it("on both: the new base's layers, then the same app layers; b holds the base's new layer, copied", async () => {
    const newBase = await readTop(ca, base, '17');
    for (const c of [ca, cb]) {
      const now = await readTop(c, repo, '2.0.0');
      for (const [i, img] of now.images.entries()) {
        const app = before.images[i].manifest.layers.slice(oldBase.images[i].manifest.layers.length);
        expect(img.manifest.layers).toEqual([...newBase.images[i].manifest.layers, ...app]);
        expect(await c.hasBlob(repo, newBase.images[i].manifest.layers.at(-1)!.digest)).toBe(true);
      }
    }
  });

  it('the base moved no further: a second rebase is skipped, and no tag is written', async () => {
    const puts = (r: MemoryRegistry): number => r.requests.filter((q) => q.method === 'PUT' || q.method === 'POST').length;
    const [pa, pb] = [puts(a), puts(b)];
    const again = await run({ dir: appWorkspace().dir }, repo, { rebase: 'true' }, fakeBuilders(builds));
    expect(again.error, again.log).toBeUndefined();
    expect(again.outputs.rebase).toBe('skipped');
    expect(again.outputs.digest).toBe(rebased.outputs.digest);
    expect([puts(a), puts(b)]).toEqual([pa, pb]);
  });
});

describe('refusals move no tag on either registry', () => {
  it('a base that is not the first layers of the image', async () => {
    const repo = 'acme/rebase-prefix';
    const base = 'base/rebase-prefix';
    seedBase(a, base, '17', ['linux/amd64']);
    await release(repo, base, 'linux/amd64');
    // the image claims the patched base, whose extra layer it does not have
    await patchBase(ca, base, '17', 'patch-b');
    const patched = await readTop(ca, base, '17');
    for (const c of [ca, cb]) await recordBaseByHand(c, repo, '2.0.0', `${a.host}/${base}:17`, patched);
    const tagged = await ca.headManifest(repo, '2.0.0');
    const r = await run({ dir: appWorkspace().dir }, repo, { rebase: 'true' }, fakeBuilders());
    expect(r.error).toBeDefined();
    expect(r.error).toContain("(linux/amd64): the base's 2 layers are not the first layers of its manifest, so its application layers cannot be told from its base's; it can only be rebuilt.");
    expect(r.error).toContain('nothing was pushed');
    for (const c of [ca, cb]) expect((await c.headManifest(repo, '2.0.0'))?.digest).toBe(tagged?.digest);
  });

  it('no tag on this event: push true refuses naming `tags`; push auto rebases nothing and says skipped', async () => {
    const inputs = { rebase: 'true', tags: 'type=semver,pattern={{version}}' };
    const refused = await run({ dir: appWorkspace().dir }, 'acme/rebase-notag', inputs, fakeBuilders());
    expect(refused.error).toContain("Input 'tags': no tag results");
    const auto = await run({ dir: appWorkspace().dir }, 'acme/rebase-notag', { ...inputs, push: 'auto' }, fakeBuilders());
    expect(auto.error, auto.log).toBeUndefined();
    expect(auto.outputs.rebase).toBe('skipped');
    expect(auto.log).toContain('Nothing is rebased');
    expect([a.tags('acme/rebase-notag'), b.tags('acme/rebase-notag')]).toEqual([[], []]);
  });
});
