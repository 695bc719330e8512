import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf } from '../support/containers.ts';
import { branchEvent } from '../support/events.ts';
import { HttpFaultRelay } from '../support/faults.ts';
import { testClient } from '../support/legs.ts';
import { buildToolTrap, copyImage, patchBase, readTop, recordsBase, withoutBase } from '../support/rebase.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, registryDigest, services, uniqueRepo, type Services } from '../support/services.ts';
import type { RegistryClient } from '../../src/registry/client.ts';

let s: Services;
let c: RegistryClient;
// every run of the action speaks to the registry through this relay, which counts the request bodies sent
let relay: HttpFaultRelay;
let R = '';

beforeAll(async () => {
  s = services();
  c = testClient(s, s.registry);
  const [host, port] = s.registry.split(':');
  relay = new HttpFaultRelay({ host, port: Number(port) }, { status: 503, forMs: 0 });
  await relay.start();
  R = relay.address;
});
afterAll(async () => {
  c?.close();
  await relay?.stop();
});

const MULTI = process.env.BASE_IMAGE_MULTI ?? `${process.env.BASE_IMAGE ?? '127.0.0.1:5000/base/jre:17'}-multi`;
const baseRepoOf = (ref: string): { repo: string; tag: string } => {
  const rest = ref.slice(ref.indexOf('/') + 1);
  return { repo: rest.slice(0, rest.lastIndexOf(':')), tag: rest.slice(rest.lastIndexOf(':') + 1) };
};

function inputs(app: string, base: string, extra: Record<string, string> = {}): Record<string, string> {
  return { images: `${R}/${app}`, tags: 'type=raw,value=1.0.0', registry: R, username: s.user, password: s.password, builder: 'native', cache: 'false', 'build-args': `BASE_IMAGE=${R}/${base}:17`, ...extra };
}

/** The release, pushed by the action, which records its base on every manifest. */
async function release(ws: { dir: string; sha: string }, app: string, base: string, extra: Record<string, string>): Promise<ActionRun> {
  const run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: { ...inputs(app, base, extra), ...PREBUILT } });
  expect(run.main.code, run.main.log).toBe(0);
  expect(await recordsBase(c, app, '1.0.0')).toBe(true);
  return run;
}

async function rebase(ws: { dir: string; sha: string }, app: string, base: string, trap: { bin: string }, extra: Record<string, string> = {}): Promise<{ run: ActionRun; sent: number }> {
  const before = relay.bytesUp;
  // java-tool auto on a project with mvnw: a build would run the trap
  const run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: { ...inputs(app, base, extra), rebase: 'true' }, env: { PATH: `${trap.bin}:${process.env.PATH}` } });
  return { run, sent: relay.bytesUp - before };
}

describe('a two-platform release moved onto a patched base, without a build', () => {
  const app = uniqueRepo('rebase-app');
  const base = uniqueRepo('rebase-base');
  let trap: { marker: string; bin: string };
  let ws: { dir: string; sha: string };
  let released: Awaited<ReturnType<typeof readTop>>;
  let oldBase: Awaited<ReturnType<typeof readTop>>;
  let newBase: Awaited<ReturnType<typeof readTop>>;
  let rebased: { run: ActionRun; sent: number };
  let again: { run: ActionRun; sent: number };
  beforeAll(async () => {
    const multi = baseRepoOf(MULTI);
    await copyImage(c, multi.repo, multi.tag, base, '17');
    ws = prebuiltWorkspace();
    trap = buildToolTrap(ws.dir);
    const run = await release(ws, app, base, { platforms: 'linux/amd64,linux/arm64' });
    expect(run.main.code, run.main.log).toBe(0);
    released = await readTop(c, app, '1.0.0');
    oldBase = await readTop(c, base, '17');
    await patchBase(c, base, '17', 'patch-1');
    newBase = await readTop(c, base, '17');
    rebased = await rebase(ws, app, base, trap);
    again = await rebase(ws, app, base, trap);
  }, 15 * 60 * 1000);

  it('rebased: the tag moved to the digest the output names, and no build tool ran', async () => {
    expect(rebased.run.main.code, rebased.run.main.log).toBe(0);
    expect(rebased.run.outputs.rebase).toBe('rebased');
    expect(rebased.run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(rebased.run.outputs.digest).not.toBe(released.digest);
    expect(await registryDigest(s, app, '1.0.0')).toBe(rebased.run.outputs.digest);
    expect(existsSync(trap.marker)).toBe(false);
    expect(rebased.run.main.log).not.toContain('Java build');
  });

  it("every platform: the new base's layers, then the same application layers (same digests)", async () => {
    const now = await readTop(c, app, '1.0.0');
    expect(now.images.map((i) => i.config.architecture)).toEqual(['amd64', 'arm64']);
    for (const [i, img] of now.images.entries()) {
      const appLayers = released.images[i].manifest.layers.slice(oldBase.images[i].manifest.layers.length);
      expect(appLayers.length).toBeGreaterThan(0);
      expect(img.manifest.layers).toEqual([...newBase.images[i].manifest.layers, ...appLayers]);
      expect(img.config.rootfs.diff_ids).toEqual([...newBase.images[i].config.rootfs.diff_ids, ...released.images[i].config.rootfs.diff_ids.slice(oldBase.images[i].config.rootfs.diff_ids.length)]);
      // the base's Env moved; the app's Entrypoint stayed
      expect(img.config.config?.Env).toContain('BASE_LEVEL=patch-1');
      expect(img.config.config?.Entrypoint).toEqual(released.images[i].config.config?.Entrypoint);
      // a platform's manifest names that platform's base manifest; the index, the digest the base's tag resolves to
      expect(img.manifest.annotations?.['org.opencontainers.image.base.digest']).toBe(newBase.images[i].digest);
      expect(img.manifest.annotations?.['org.opencontainers.image.base.name']).toBe(`${R}/${base}:17`);
    }
    expect(now.index?.annotations?.['org.opencontainers.image.base.digest']).toBe(newBase.digest);
  });

  it('only configs and manifests went up: at most 16 KB through the counting relay', () => {
    console.info(`rebase e2e: ${rebased.sent} bytes of request bodies through the relay (second run: ${again.sent})`);
    expect(rebased.sent).toBeGreaterThan(0);
    expect(rebased.sent).toBeLessThanOrEqual(16 * 1024);
    const meta = JSON.parse(rebased.run.outputs.metadata) as { builder: string; registries: { uploadedBytes: number }[] };
    expect(meta.builder).toBe('rebase');
    expect(meta.registries[0].uploadedBytes).toBeLessThanOrEqual(16 * 1024);
  });

  it('the rebased amd64 image runs and answers over HTTP, and sees the patched base', async () => {
    const now = await readTop(c, app, '1.0.0');
    const config = mkdtempSync(path.join(os.tmpdir(), 'ip-rebase-docker-'));
    const env = { ...process.env, DOCKER_CONFIG: config };
    execFileSync('docker', ['login', s.registry, '-u', s.user, '--password-stdin'], { input: s.password, env, stdio: ['pipe', 'ignore', 'ignore'], timeout: 60000 });
    const ref = `${s.registry}/${app}@${now.index!.manifests[0].digest}`;
    try {
      expect(await answerOf(ref, 'PORT', '/hello', env)).toBe('hello docker');
      expect(execFileSync('docker', ['run', '--rm', '--network', 'host', '--entrypoint', 'cat', ref, '/etc/base-patch'], { env, encoding: 'utf8', timeout: 120000 })).toBe('patch-1 amd64\n');
    } finally {
      execFileSync('docker', ['image', 'rm', ref], { env, stdio: 'ignore', timeout: 60000 });
    }
  });

  it('a second rebase with the base unchanged pushes nothing, and says skipped', async () => {
    expect(again.run.main.code, again.run.main.log).toBe(0);
    expect(again.run.outputs.rebase).toBe('skipped');
    expect(again.run.outputs.digest).toBe(rebased.run.outputs.digest);
    expect(again.sent).toBe(0);
    expect(again.run.main.log).toContain('Nothing to rebase: the base');
    expect(await registryDigest(s, app, '1.0.0')).toBe(rebased.run.outputs.digest);
  });
});

describe('a release BuildKit built (builder: docker), its base layers a prefix of its layers', () => {
  const app = uniqueRepo('rebase-bk');
  const base = uniqueRepo('rebase-base-bk');
  let released: Awaited<ReturnType<typeof readTop>>;
  let oldBase: Awaited<ReturnType<typeof readTop>>;
  let rebased: { run: ActionRun; sent: number };
  beforeAll(async () => {
    const one = baseRepoOf(s.baseImage);
    await copyImage(c, one.repo, one.tag, base, '17');
    const ws = prebuiltWorkspace();
    const trap = buildToolTrap(ws.dir);
    const run = await release(ws, app, base, { builder: 'docker' });
    expect(run.main.code, run.main.log).toBe(0);
    released = await readTop(c, app, '1.0.0');
    oldBase = await readTop(c, base, '17');
    await patchBase(c, base, '17', 'patch-bk');
    rebased = await rebase(ws, app, base, trap, { builder: 'docker' });
  }, 15 * 60 * 1000);

  it("moves it: the new base's layers, then BuildKit's own layers, the same blobs", async () => {
    expect(rebased.run.main.code, rebased.run.main.log).toBe(0);
    expect(rebased.run.outputs.rebase).toBe('rebased');
    const newBase = await readTop(c, base, '17');
    const now = await readTop(c, app, '1.0.0');
    expect(now.digest).toBe(rebased.run.outputs.digest);
    const appLayers = released.images[0].manifest.layers.slice(oldBase.images[0].manifest.layers.length);
    expect(appLayers.length).toBeGreaterThan(0);
    expect(now.images[0].manifest.layers).toEqual([...newBase.images[0].manifest.layers, ...appLayers]);
    expect(now.images[0].config.config?.Entrypoint).toEqual(['java', '-jar', './app.jar']);
    expect(rebased.sent).toBeLessThanOrEqual(16 * 1024);
  });
});

describe('refusals and a new signature', () => {
  const app = uniqueRepo('rebase-sign');
  const base = uniqueRepo('rebase-base1');
  let ws: { dir: string; sha: string };
  let trap: { marker: string; bin: string };
  let keys: { pub: string; key: string; password: string };
  let unknown: { run: ActionRun; sent: number };
  let unknownDigest = '';
  let signed: { run: ActionRun; sent: number };
  let newTop = '';
  beforeAll(async () => {
    const one = baseRepoOf(s.baseImage);
    await copyImage(c, one.repo, one.tag, base, '17');
    ws = prebuiltWorkspace();
    trap = buildToolTrap(ws.dir);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-rebase-cosign-'));
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    execFileSync('cosign', ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password }, stdio: 'ignore', timeout: 60 * 1000 });
    keys = { pub: path.join(dir, 'cosign.pub'), key: readFileSync(path.join(dir, 'cosign.key'), 'utf8'), password };
    const run = await release(ws, app, base, {});
    expect(run.main.code, run.main.log).toBe(0);
    await patchBase(c, base, '17', 'patch-2');
    // an older release of the same app, without the base annotations, under its own tag
    unknownDigest = await withoutBase(c, app, '1.0.0', '0.9.0');
    unknown = await rebase(ws, app, base, trap, { tags: 'type=raw,value=0.9.0' });
    newTop = (await readTop(c, base, '17')).digest;
    signed = await rebase(ws, app, base, trap, { sbom: 'true', sign: 'key', 'signing-key': keys.key, 'signing-password': keys.password });
  }, 15 * 60 * 1000);

  it("refuses an image whose base is not known, naming the fix, before any write", async () => {
    expect(unknown.run.main.code).not.toBe(0);
    expect(unknown.run.main.log).toContain("the image's base is not known");
    expect(unknown.run.main.log).toContain('Rebuild and push it once with this version of the action');
    expect(unknown.sent).toBe(0);
    expect(await registryDigest(s, app, '0.9.0')).toBe(unknownDigest);
    expect(existsSync(trap.marker)).toBe(false);
  });

  it('signs the rebased digest anew, and cosign verifies it with the public key', async () => {
    expect(signed.run.main.code, signed.run.main.log).toBe(0);
    expect(signed.run.outputs.rebase).toBe('rebased');
    const digest = signed.run.outputs.digest;
    expect(await registryDigest(s, app, '1.0.0')).toBe(digest);
    const out = execFileSync('cosign', ['verify', '--key', keys.pub, '--insecure-ignore-tlog', '--allow-insecure-registry', '--allow-http-registry', `${s.registry}/${app}@${digest}`], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_CONFIG: dockerConfigFor(s) },
      timeout: 120000,
    });
    expect(out).toContain(digest);
  });

  it('the new SBOM names the new base by its digest', async () => {
    const top = await c.getManifest(app, signed.run.outputs.digest);
    const index = JSON.parse(top.bytes.toString()) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    const att = index.manifests.find((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
    expect(att).toBeDefined();
    const m = JSON.parse((await c.getManifest(app, att!.digest)).bytes.toString()) as { layers: { digest: string; annotations?: Record<string, string> }[] };
    const spdx = m.layers.find((l) => l.annotations?.['in-toto.io/predicate-type']?.includes('spdx'))!;
    const doc = (await c.getBlob(app, spdx.digest)).toString();
    expect(doc).toContain(newTop.replace('sha256:', ''));
    expect(doc).toContain(`${base}`);
  });
});

/** A docker config with the test registry's credentials, for cosign. */
function dockerConfigFor(svc: Services): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-rebase-cfg-'));
  const auth = Buffer.from(`${svc.user}:${svc.password}`).toString('base64');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [svc.registry]: { auth } } }));
  return dir;
}
