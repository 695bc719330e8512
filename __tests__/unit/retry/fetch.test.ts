import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWithRetry } from '../../../src/retry/fetch.js';
import { retry, type RetryPolicy } from '../../../src/retry/retry.js';

function policy(retries = 4): RetryPolicy & { waits: number[]; reasons: string[] } {
  const waits: number[] = [];
  const reasons: string[] = [];
  return { retries, totalMs: 60_000, random: () => 0, sleep: async (ms) => void waits.push(ms), onRetry: (_a, r) => void reasons.push(r), scope: 'test', waits, reasons };
}

// answers are scripted per path: a status (with headers), or 'reset' to cut the connection
let server: Server;
let base: string;
const scripts = new Map<string, (number | 'reset' | [number, Record<string, string>])[]>();
const hits = new Map<string, number>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const n = hits.get(req.url!) ?? 0;
    hits.set(req.url!, n + 1);
    const step = scripts.get(req.url!)?.[n] ?? 200;
    if (step === 'reset') return req.socket.destroy();
    const [status, headers] = Array.isArray(step) ? step : [step, {}];
    res.writeHead(status, headers).end(`answer ${n + 1}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fetchWithRetry goes through the one retry loop', () => {
  it('retries 503 and 429, waiting as long as Retry-After asks, and returns the answer that came', async () => {
    scripts.set('/a', [[503, { 'retry-after': '5' }], [429, {}], 200]);
    const p = policy();
    const res = await fetchWithRetry(`${base}/a`, {}, 5000, p);
    expect([res.status, await res.text()]).toEqual([200, 'answer 3']);
    expect(p.waits).toEqual([5000, 2000]);
    expect(p.reasons).toEqual(['HTTP 503 Service Unavailable', 'HTTP 429 Too Many Requests']);
  });

  it.each([401, 403, 404])('returns a %i at once, never asking again', async (status) => {
    scripts.set(`/s${status}`, [status, 200]);
    const p = policy();
    expect((await fetchWithRetry(`${base}/s${status}`, {}, 5000, p)).status).toBe(status);
    expect(hits.get(`/s${status}`)).toBe(1);
    expect(p.waits).toEqual([]);
  });

  it('rides out connections cut before the answer', async () => {
    scripts.set('/cut', ['reset', 'reset', 200]);
    const p = policy();
    expect((await fetchWithRetry(`${base}/cut`, {}, 5000, p)).status).toBe(200);
    expect(p.reasons).toHaveLength(2);
    expect(p.reasons[0]).toMatch(/fetch failed|other side closed|ECONNRESET|socket/);
  });

  it('gives the last answer when the policy runs out, and throws the last error when there was none', async () => {
    scripts.set('/down', [503, 503, 503, 503]);
    expect((await fetchWithRetry(`${base}/down`, {}, 5000, policy(2))).status).toBe(503);
    expect(hits.get('/down')).toBe(3);
    scripts.set('/gone', ['reset', 'reset', 'reset']);
    await expect(fetchWithRetry(`${base}/gone`, {}, 5000, policy(1))).rejects.toThrow(/fetch failed/);
  });

  it('throws at once for a port fetch refuses to connect to (9, discard), waiting for nothing', async () => {
    const p = policy();
    await expect(fetchWithRetry('http://127.0.0.1:9/repos/acme/app', {}, 5000, p)).rejects.toThrow(/fetch failed/);
    expect(p.waits).toEqual([]);
  });
});

describe('the loop itself', () => {
  it('stops at the first failure that is not transient, and starts no attempt past the total time', async () => {
    const kinds = ['transient', 'auth', 'transient'] as const;
    const seen: number[] = [];
    const res = await retry(async (a) => (seen.push(a), { ok: false as const, failure: { kind: kinds[a], reason: kinds[a] } }), policy());
    expect([res.ok, res.attempts, seen]).toEqual([false, 2, [0, 1]]);
    const slow = { ...policy(10), totalMs: 2500 };
    const r2 = await retry(async () => ({ ok: false as const, failure: { kind: 'transient' as const, reason: 'x' } }), slow);
    expect([r2.attempts, slow.waits]).toEqual([3, [1000, 2000]]);
  });
});
