import { describe, expect, it } from 'vitest';
import { canonicalRegistry, isValidTag, parseImageName } from '../../../src/oci/name.js';
import { loginArgs, logoutArgs } from '../../../src/engine/login.js';
import { classifyFailure, retryAfterInOutput } from '../../../src/retry/classify.js';
import { backoffMs, withRetry, type RetryPolicy } from '../../../src/retry/retry.js';

describe('canonicalRegistry', () => {
  it.each([
    ['', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['GHCR.io', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
  ])('%j -> %s', (raw, want) => expect(canonicalRegistry(raw)).toBe(want));
});

describe('parseImageName', () => {
  it.each([
    ['acme/app', { name: 'acme/app', registry: 'docker.io', repository: 'acme/app', lowered: false }],
    ['nginx', { name: 'nginx', registry: 'docker.io', repository: 'library/nginx', lowered: false }],
    ['docker.io/acme/app', { name: 'docker.io/acme/app', registry: 'docker.io', repository: 'acme/app', lowered: false }],
    ['index.docker.io/acme/app', { name: 'index.docker.io/acme/app', registry: 'docker.io', repository: 'acme/app', lowered: false }],
    ['ghcr.io/Octo-Org/My_App', { name: 'ghcr.io/octo-org/my_app', registry: 'ghcr.io', repository: 'octo-org/my_app', lowered: true }],
    ['127.0.0.1:5000/team/svc', { name: '127.0.0.1:5000/team/svc', registry: '127.0.0.1:5000', repository: 'team/svc', lowered: false }],
    ['localhost/app', { name: 'localhost/app', registry: 'localhost', repository: 'app', lowered: false }],
  ])('%s', (raw, want) => expect(parseImageName(raw, 'images')).toEqual(want));

  it.each([
    ['acme/app:latest', 'tags go in the `tags` input'],
    ['acme/app@sha256:abc', 'a digest does not belong'],
    ['acme/my app', 'the path component "my app"'],
    ['acme/-app', 'the path component "-app"'],
    ['acme//app', 'the path component ""'],
    ['bad_host.io:x/app', '"bad_host.io:x" is not a registry host'],
  ])('refuses %s', (raw, why) => {
    expect(() => parseImageName(raw, 'images')).toThrow(`Input 'images': "${raw}" is not a valid image name: ${why}`);
  });

  it('checks tags as Docker does', () => {
    expect(isValidTag('1.2.3')).toBe(true);
    expect(isValidTag('sha-abc_1')).toBe(true);
    expect(isValidTag('.hidden')).toBe(false);
    expect(isValidTag('-x')).toBe(false);
    expect(isValidTag('a'.repeat(128))).toBe(true);
    expect(isValidTag('a'.repeat(129))).toBe(false);
  });
});

describe('login argv', () => {
  it('never carries the password and omits the server for Docker Hub', () => {
    expect(loginArgs('docker.io', 'u')).toEqual(['login', '--username', 'u', '--password-stdin']);
    expect(loginArgs('ghcr.io', 'u')).toEqual(['login', '--username', 'u', '--password-stdin', '--', 'ghcr.io']);
    expect(logoutArgs('docker.io')).toEqual(['logout']);
    expect(logoutArgs('127.0.0.1:5000')).toEqual(['logout', '--', '127.0.0.1:5000']);
    expect(() => loginArgs('--config=/tmp/x', 'u')).toThrow('"--config=/tmp/x" is not a registry host[:port]');
  });
});

describe('retry policy', () => {
  it.each([
    ['Error response from daemon: Get "http://r/v2/": unauthorized: incorrect username or password', 'auth'],
    ['denied: requested access to the resource is denied', 'auth'],
    ['received unexpected HTTP status: 403 Forbidden', 'auth'],
    ['name unknown: repository name not known to registry', 'auth'],
    ['received unexpected HTTP status: 503 Service Unavailable', 'transient'],
    ['toomanyrequests: You have reached your pull rate limit', 'transient'],
    ['dial tcp 127.0.0.1:5000: connect: connection refused', 'transient'],
    ['read: connection reset by peer', 'transient'],
    ['net/http: TLS handshake timeout', 'transient'],
    ['invalid reference format', 'fatal'],
  ])('%s -> %s', (out, kind) => expect(classifyFailure(out)).toBe(kind));

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, () => 0)).toBe(1000);
    expect(backoffMs(0, () => 1)).toBe(2000);
    expect(backoffMs(2, () => 1)).toBe(8000);
    expect(backoffMs(10, () => 1)).toBe(15000);
    // four retries wait at least 14.5 s in all: enough to ride out a registry restart
    expect([0, 1, 2, 3].reduce((n, a) => n + backoffMs(a, () => 0), 0)).toBe(14500);
  });

  it('reads Retry-After', () => {
    expect(retryAfterInOutput('429 Too Many Requests\nRetry-After: 7')).toBe(7000);
    expect(retryAfterInOutput('nothing')).toBeUndefined();
  });

  const policy = (retries: number, log: string[]): RetryPolicy => ({
    retries,
    totalMs: 60000,
    random: () => 0,
    sleep: async () => undefined,
    onRetry: (n, reason) => log.push(`${n}:${reason}`),
  });

  it('retries transient failures up to the bound, then gives up', async () => {
    const log: string[] = [];
    let calls = 0;
    const res = await withRetry(async () => ({ ok: false, output: `503 Service Unavailable ${++calls}` }), policy(2, log));
    expect(res).toMatchObject({ ok: false, kind: 'transient', attempts: 3 });
    expect(log).toEqual(['1:503 Service Unavailable 1', '2:503 Service Unavailable 2']);
  });

  it('never retries a refused login', async () => {
    const log: string[] = [];
    let calls = 0;
    const res = await withRetry(async () => (calls++, { ok: false, output: 'unauthorized: incorrect username or password' }), policy(4, log));
    expect(res).toMatchObject({ ok: false, kind: 'auth', attempts: 1 });
    expect(calls).toBe(1);
    expect(log).toEqual([]);
  });

  it('returns as soon as an attempt works', async () => {
    let calls = 0;
    const res = await withRetry(async () => (++calls < 3 ? { ok: false, output: 'connection refused' } : { ok: true, output: 'ok' }), policy(4, []));
    expect(res).toMatchObject({ ok: true, attempts: 3 });
  });

  it('stops when the total time bound would be passed', async () => {
    const p = { ...policy(10, []), totalMs: 0 };
    const res = await withRetry(async () => ({ ok: false, output: '502 Bad Gateway' }), p);
    expect(res.attempts).toBe(1);
  });
});
