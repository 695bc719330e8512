/**
 * The native builder's layers go by the digests the run computed: a hostile image at the tag (its config's
 * diff_ids are the run's, its manifest names an attacker's blob) gives it nothing, and the signed manifest names
 * only blobs that hash to what the run made. The layer-digest cache spares the gzip only for a blob the registry
 * holds and that decompresses to the run's own tar.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { branchEvent } from '../support/events.ts';
import { readImage, type RegistryImage } from '../support/native.ts';
import { NODE24, runAction, type ActionRun } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, services, uniqueRepo, type Services, type Workspace } from '../support/services.ts';

let s: Services;
let ws: Workspace;
beforeAll(() => {
  s = services();
  ws = prebuiltWorkspace();
}, 10 * 60 * 1000);

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const auth = (): string => `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;

function inputs(repo: string, tag: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...PREBUILT, images: `${s.registry}/${repo}`, tags: `type=raw,value=${tag}`, registry: s.registry, username: s.user, password: s.password, builder: 'native', ...extra };
}

/** What one registry result of the run says it uploaded. */
function uploaded(run: ActionRun): number {
  const meta = JSON.parse(run.outputs.metadata ?? '{}') as { registries?: { uploadedBytes?: number }[] };
  return meta.registries?.[0]?.uploadedBytes ?? -1;
}

async function call(method: string, url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(url.startsWith('http') ? url : `http://${s.registry}${url}`, { method, body, headers: { authorization: auth(), ...headers }, signal: AbortSignal.timeout(60000) });
  if (res.status >= 400) throw new Error(`${method} ${url}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

/** A blob into `repo`: mounted from `from` when given, else uploaded in one PUT. */
async function putBlob(repo: string, digest: string, data?: Buffer, from?: string): Promise<void> {
  if (from) {
    const res = await call('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`);
    if (res.status === 201) return;
    throw new Error(`mount of ${digest} from ${from}: HTTP ${res.status}`);
  }
  const start = await call('POST', `/v2/${repo}/blobs/uploads/`);
  const loc = new URL(start.headers.get('location')!, `http://${s.registry}`);
  loc.searchParams.set('digest', digest);
  await call('PUT', loc.toString(), data, { 'content-type': 'application/octet-stream' });
}

/** The blobs of an image as skopeo copies them, each hashed: [digest it hashes to, sha256 of its gunzip]. */
function skopeoBlobs(ref: string): Map<string, { hashed: string; uncompressed: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-skopeo-'));
  execFileSync('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', `${s.user}:${s.password}`, `docker://${ref}`, `dir:${dir}`], { stdio: 'pipe', timeout: 5 * 60 * 1000 });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as RegistryImage['manifest'];
  const out = new Map<string, { hashed: string; uncompressed: string }>();
  for (const l of manifest.layers) {
    const bytes = readFileSync(path.join(dir, l.digest.replace('sha256:', '')));
    out.set(l.digest, { hashed: sha256(bytes), uncompressed: sha256(gunzipSync(bytes)) });
  }
  return out;
}

describe('a hostile image at the tag, for layer reuse', () => {
  const repo = uniqueRepo('reuse-hostile');
  const scratch = uniqueRepo('reuse-own');
  let own: RegistryImage;
  let attacker: string;
  let evil: Buffer;
  let run: ActionRun;
  let image: RegistryImage;
  let keys: { pub: string; key: string; password: string };
  beforeAll(async () => {
    // the run's own image, pushed elsewhere first: its config holds the diff_ids this commit makes
    const first = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(scratch, 'v1', { cache: 'false' }) });
    expect(first.main.code, first.main.log).toBe(0);
    own = await readImage(s, scratch, first.outputs.digest);
    // the attacker's image at the target tag: the same config (so the same diff_ids), the app layer's blob swapped
    evil = gzipSync(Buffer.from('not the layer the config names\n'));
    attacker = sha256(evil);
    const base = s.baseImage.replace(`${s.registry}/`, '').replace(/[:@].*$/, '');
    const layers = own.manifest.layers.map((l, i) => (i === own.manifest.layers.length - 1 ? { ...l, digest: attacker, size: evil.length } : l));
    for (const l of layers.slice(0, -1)) await putBlob(repo, l.digest, undefined, base);
    await putBlob(repo, attacker, evil);
    const config = Buffer.from(JSON.stringify(own.config));
    await putBlob(repo, sha256(config), config);
    const manifest = Buffer.from(JSON.stringify({ ...own.manifest, config: { ...(own.manifest as { config: object }).config, digest: sha256(config), size: config.length }, layers }));
    await call('PUT', `/v2/${repo}/manifests/v1`, manifest, { 'content-type': own.mediaType });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-cosign-'));
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    execFileSync('cosign', ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password }, stdio: 'ignore', timeout: 60 * 1000 });
    keys = { pub: path.join(dir, 'cosign.pub'), key: readFileSync(path.join(dir, 'cosign.key'), 'utf8'), password };
    run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: inputs(repo, 'v1', { cache: 'false', sign: 'key', 'signing-key': keys.key, 'signing-password': keys.password }) });
    image = await readImage(s, repo, run.outputs.digest);
  }, 10 * 60 * 1000);

  it('pushes, moving the tag to its own image', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect((await call('HEAD', `/v2/${repo}/manifests/v1`, undefined, { accept: own.mediaType })).headers.get('docker-content-digest')).toBe(run.outputs.digest);
  });

  it('uploads its own blob for the app layer, never taking the one the tag named', () => {
    const app = own.manifest.layers.at(-1)!;
    expect(image.manifest.layers.map((l) => l.digest)).not.toContain(attacker);
    expect(image.manifest.layers.at(-1)!.digest).toBe(app.digest);
    expect(uploaded(run)).toBeGreaterThanOrEqual(app.size);
    expect(run.main.log).not.toMatch(/reused from the tag/);
  });

  it('the signed manifest names only blobs that hash to the digests it names and inflate to the config diff_ids', () => {
    const blobs = skopeoBlobs(`${s.registry}/${repo}@${run.outputs.digest}`);
    image.manifest.layers.forEach((l, i) => {
      expect(blobs.get(l.digest)?.hashed).toBe(l.digest);
      expect(blobs.get(l.digest)?.uncompressed).toBe(image.config.rootfs.diff_ids[i]);
    });
  });

  it('cosign verifies the signature on the pushed manifest', () => {
    const r = spawnSync('cosign', ['verify', '--key', keys.pub, '--insecure-ignore-tlog', '--allow-insecure-registry', '--allow-http-registry', `${s.registry}/${repo}@${run.outputs.digest}`], {
      env: { ...process.env, DOCKER_CONFIG: dockerConfig() },
      encoding: 'utf8',
      timeout: 2 * 60 * 1000,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(run.outputs.digest);
  });

  describe('and a poisoned layer-digest cache naming that blob, which the repository holds', () => {
    const poisoned = uniqueRepo('reuse-poison');
    let svc: CacheService;
    let again: ActionRun;
    beforeAll(async () => {
      svc = await startCacheService();
      await putBlob(poisoned, attacker, evil);
      // what a restore would leave had someone with write access to the cache scope saved this entry
      const runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-reuse-runner-')), '_temp');
      const zlib = execFileSync(NODE24, ['-p', 'process.versions.zlib'], { encoding: 'utf8' }).trim();
      const dir = path.join(runnerTemp, 'image-publish-layer-digests');
      mkdirSync(dir, { recursive: true });
      const app = own.config.rootfs.diff_ids.at(-1)!;
      writeFileSync(path.join(dir, 'layer-digests.json'), JSON.stringify({ flavour: `zlib-${zlib}-level6`, layers: [{ diffId: app, digest: attacker, size: evil.length }] }));
      again = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), env: svc.env, runnerTemp, inputs: inputs(poisoned, 'v1') });
    }, 10 * 60 * 1000);
    afterAll(async () => svc?.stop());

    it("refuses the entry after checking the blob, and pushes the run's own gzip", async () => {
      expect(again.main.code, again.main.log).toBe(0);
      expect(again.main.log).toContain(`Layer-digest cache entry not used, the layer is gzipped instead: ${attacker} does not decompress to this run's tar`);
      expect(again.main.log).toMatch(/0 of 1 layer\(s\) from the layer-digest cache.*; 1 gzipped/);
      const img = await readImage(s, poisoned, again.outputs.digest);
      expect(img.manifest.layers.map((l) => l.digest)).not.toContain(attacker);
      expect(img.manifest.layers.at(-1)!.digest).toBe(own.manifest.layers.at(-1)!.digest);
      expect(uploaded(again)).toBeGreaterThanOrEqual(own.manifest.layers.at(-1)!.size);
      // and the file post saves holds the run's own digest for that layer
      expect(again.post.log).toMatch(/native layer-digest cache saved as/);
    });
  });
});

/** A Docker config logged in to the HTTP registry, for cosign and skopeo, so the shared ~/.docker is left alone. */
function dockerConfig(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-reuse-docker-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [s.registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }));
  return dir;
}

describe('the layer-digest cache, in the Actions cache', () => {
  const repo = uniqueRepo('reuse-cache');
  const other = uniqueRepo('reuse-cache-new');
  let svc: CacheService;
  const runs: Record<string, ActionRun> = {};
  // one RUNNER_TEMP, as a runner has (the cache's version names its paths), emptied between jobs
  const runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-reuse-runner-')), '_temp');
  const act = async (name: string, target: string, tag: string): Promise<void> => {
    runs[name] = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), env: svc.env, runnerTemp, inputs: inputs(target, tag) });
    rmSync(runnerTemp, { recursive: true, force: true });
  };
  beforeAll(async () => {
    svc = await startCacheService();
    // each run on a fresh runner: only the Actions cache survives
    await act('cold', repo, 'v1');
    await act('warm', repo, 'v2');
    await act('elsewhere', other, 'v1');
  }, 10 * 60 * 1000);
  afterAll(async () => svc?.stop());

  it('the first run gzips, and post saves the digests under a key of their content', () => {
    expect(runs.cold.main.code, runs.cold.main.log).toBe(0);
    expect(runs.cold.main.log).toMatch(/0 of 1 layer\(s\) from the layer-digest cache.*; 1 gzipped/);
    expect(runs.cold.post.log).toMatch(/native layer-digest cache saved as image-publish-native-layers-linux-x64-zlib-[^ ]+-level6-[a-f0-9]{32}/);
  });

  it('the next run, the jar unchanged: the layer comes from the cache, checked against the registry, not gzipped, not uploaded', async () => {
    const r = runs.warm;
    expect(r.main.code, r.main.log).toBe(0);
    expect(r.main.log).toMatch(/native layer-digest cache: partial/);
    expect(r.main.log).toMatch(/1 of 1 layer\(s\) from the layer-digest cache, each checked to be the registry's blob of this run's own tar \(not gzipped\); 0 gzipped/);
    expect(r.main.log).toMatch(/1 of 1 layer push\(es\) already there by this run's own digest/);
    const [warm, cold] = await Promise.all([readImage(s, repo, r.outputs.digest), readImage(s, repo, runs.cold.outputs.digest)]);
    expect(warm.manifest.layers.map((l) => l.digest)).toEqual(cold.manifest.layers.map((l) => l.digest));
    // config, manifest and the tag only: no layer's bytes
    expect(uploaded(r)).toBeLessThan(8 * 1024);
    expect((JSON.parse(r.outputs['cache-hit']) as { layers: string }).layers).toBe('partial');
    // nothing new to save: the file is the same, byte for byte
    expect(r.post.log).not.toMatch(/native layer-digest cache saved/);
  });

  it('an entry whose blob the repository lacks falls back to building the layer, and the digest is the same', async () => {
    const r = runs.elsewhere;
    expect(r.main.code, r.main.log).toBe(0);
    expect(r.main.log).toMatch(/0 of 1 layer\(s\) from the layer-digest cache.*; 1 gzipped/);
    const img = await readImage(s, other, r.outputs.digest);
    const cold = await readImage(s, repo, runs.cold.outputs.digest);
    expect(img.manifest.layers.at(-1)!.digest).toBe(cold.manifest.layers.at(-1)!.digest);
    expect(uploaded(r)).toBeGreaterThanOrEqual(cold.manifest.layers.at(-1)!.size);
  });
});
