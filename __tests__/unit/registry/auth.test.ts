import { describe, expect, it } from 'vitest';
import { Authenticator } from '../../../src/registry/auth.js';
import { RegistryError } from '../../../src/registry/errors.js';
import type { HttpResponse } from '../../../src/registry/http.js';

const creds = { username: 'ci-user', password: 's3cret-pw' };
const basic = `Basic ${Buffer.from('ci-user:s3cret-pw').toString('base64')}`;

function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

/** A token service that hands out numbered tokens and records each request. */
function tokenService(reply: (n: number) => HttpResponse = (n) => answer(200, { token: `t${n}`, expires_in: 300 })) {
  const requests: { url: URL; headers: Record<string, string> }[] = [];
  const fetch = async (url: URL, headers: Record<string, string>) => {
    requests.push({ url, headers });
    return reply(requests.length);
  };
  return { fetch, requests };
}

const challenge = (h: string) => answer(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': h });
const bearer = 'Bearer realm="https://auth.r.test/token",service="r.test",scope="repository:b:pull"';

describe('Authenticator', () => {
  it('answers Basic with the credentials, then sends them up front', async () => {
    const t = tokenService();
    const a = new Authenticator('r.test', creds, t.fetch);
    expect(await a.header(['repository:a:pull'])).toBeUndefined();
    expect(await a.answer(challenge('Basic realm="x"'), ['repository:a:pull'], 'https://r.test')).toBe(basic);
    expect(await a.header(['repository:z:push'])).toBe(basic);
    expect(t.requests).toEqual([]);
  });

  it('has nothing to answer Basic with when there are no credentials, or an unknown scheme', async () => {
    const a = new Authenticator('r.test', undefined, tokenService().fetch);
    expect(await a.answer(challenge('Basic realm="x"'), [], 'https://r.test')).toBeUndefined();
    expect(await new Authenticator('r.test', creds, tokenService().fetch).answer(challenge('Negotiate'), [], 'https://r.test')).toBeUndefined();
  });

  it('asks the realm for the scopes needed plus the challenge scope, and caches the token per scope set', async () => {
    const t = tokenService();
    const a = new Authenticator('r.test', creds, t.fetch);
    const push = ['repository:a:pull,push', 'repository:b:pull'];
    expect(await a.answer(challenge(bearer), push, 'https://r.test')).toBe('Bearer t1');
    expect(t.requests[0].url.origin + t.requests[0].url.pathname).toBe('https://auth.r.test/token');
    expect(t.requests[0].url.searchParams.get('service')).toBe('r.test');
    expect(t.requests[0].url.searchParams.getAll('scope')).toEqual(['repository:a:pull,push', 'repository:b:pull']);
    expect(t.requests[0].headers).toEqual({ authorization: basic });
    expect(await a.header(['repository:b:pull', 'repository:a:push,pull'])).toBe('Bearer t1');
    expect(t.requests).toHaveLength(1);
    expect(await a.header(['repository:c:pull'])).toBe('Bearer t2');
    expect(t.requests[1].url.searchParams.getAll('scope')).toEqual(['repository:c:pull']);
  });

  it('asks again once the token has expired', async () => {
    let now = 0;
    const t = tokenService((n) => answer(200, { access_token: `t${n}`, expires_in: 60 }));
    const a = new Authenticator('r.test', creds, t.fetch, () => now);
    await a.answer(challenge(bearer), ['repository:b:pull'], 'https://r.test');
    expect(await a.header(['repository:b:pull'])).toBe('Bearer t1');
    now = 51 * 1000;
    expect(await a.header(['repository:b:pull'])).toBe('Bearer t2');
  });

  it('asks anonymously without credentials', async () => {
    const t = tokenService();
    await new Authenticator('r.test', undefined, t.fetch).answer(challenge(bearer), ['repository:b:pull'], 'https://r.test');
    expect(t.requests[0].headers).toEqual({});
  });

  it.each([
    ['Bearer realm="http://auth.evil.test/token"', 'https://r.test', true],
    ['Bearer realm="http://127.0.0.1:9/token"', 'https://r.test', false],
    ['Bearer realm="http://r.test/token"', 'http://r.test', false],
  ])('a realm over plain http on another host gets no credentials: %s', async (h, origin, refused) => {
    const t = tokenService();
    const p = new Authenticator('r.test', creds, t.fetch).answer(challenge(h), [], origin);
    if (refused) {
      await expect(p).rejects.toThrow(/over plain HTTP on another host; credentials are not sent there/);
      expect(t.requests).toEqual([]);
    } else expect(await p).toBe('Bearer t1');
  });

  it.each([
    [answer(401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad' }] }), 'auth', /answered HTTP 401 UNAUTHORIZED: bad/],
    [answer(503, 'down'), 'transient', /answered HTTP 503/],
    [answer(200, 'not json'), 'fatal', /not JSON/],
    [answer(200, { expires_in: 5 }), 'fatal', /gave no token/],
  ])('token service failures are classified and hold no secret', async (res, kind, message) => {
    const a = new Authenticator('r.test', creds, tokenService(() => res).fetch);
    const err = (await a.answer(challenge(bearer), [], 'https://r.test').catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('s3cret-pw');
  });
});
