import { describe, expect, it } from 'vitest';
import { errorDetails, isLoopbackHost, mergeScopes, nextLink, parseChallenges, pickChallenge, realmAllowed, repositoryScope, resumeOffset } from '../../../src/registry/headers.js';
import { retryAfter } from '../../../src/retry/classify.js';

describe('parseChallenges', () => {
  it.each([
    ['Basic realm="registry-http"', [{ scheme: 'basic', params: { realm: 'registry-http' } }]],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/ubuntu:pull' } }],
    ],
    // several scopes in one quoted value, a comma inside quotes, an escaped quote, spaces around '='
    [
      'Bearer realm = "https://t.example/token?a=1,b=2", scope="repository:a:pull repository:b:pull,push", error="insufficient_scope", note="say \\"hi\\""',
      [{ scheme: 'bearer', params: { realm: 'https://t.example/token?a=1,b=2', scope: 'repository:a:pull repository:b:pull,push', error: 'insufficient_scope', note: 'say "hi"' } }],
    ],
    // two challenges in one header, unquoted values, scheme case
    [
      'BEARER realm=https://t.example/token,service=reg , Basic realm="fallback"',
      [
        { scheme: 'bearer', params: { realm: 'https://t.example/token', service: 'reg' } },
        { scheme: 'basic', params: { realm: 'fallback' } },
      ],
    ],
    ['Negotiate', [{ scheme: 'negotiate', params: {} }]],
    ['', []],
  ])('%s', (header, want) => expect(parseChallenges(header)).toEqual(want));

  it('prefers Bearer, then Basic', () => {
    expect(pickChallenge(parseChallenges('Basic realm="x", Bearer realm="https://t/token"'))?.scheme).toBe('bearer');
    expect(pickChallenge(parseChallenges('Negotiate, Basic realm="x"'))?.scheme).toBe('basic');
    expect(pickChallenge([])).toBeUndefined();
  });
});

describe('scopes', () => {
  it.each([
    [['push', 'pull'], 'repository:team/app:pull,push'],
    [['pull', 'pull'], 'repository:team/app:pull'],
  ])('%j', (actions, want) => expect(repositoryScope('team/app', actions)).toBe(want));

  it.each([
    [['repository:a:pull', 'repository:a:push'], ['repository:a:pull,push']],
    [['repository:b:pull,push', 'repository:a:pull'], ['repository:a:pull', 'repository:b:pull,push']],
    [['repository:a:pull repository:b:pull', '', 'repository:a:pull'], ['repository:a:pull', 'repository:b:pull']],
    [['registry:catalog:*'], ['registry:catalog:*']],
    [['nonsense'], []],
  ])('merge %j', (scopes, want) => expect(mergeScopes(scopes)).toEqual(want));
});

describe('where credentials may go', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['127.3.4.5', true],
    ['[::1]:5001', true],
    ['::1', true],
    ['localhost:5000', true],
    ['LOCALHOST', true],
    ['registry.image-publish.test:5443', false],
    ['128.0.0.1', false],
    ['[::2]:5000', false],
    ['127.0.0.1.evil.test', false],
  ])('loopback %s: %s', (host, want) => expect(isLoopbackHost(host)).toBe(want));

  it.each([
    ['https://auth.docker.io/token', 'https://registry-1.docker.io', true],
    ['http://auth.example.test/token', 'https://registry.example.test', false],
    ['http://registry.example.test:5000/token', 'http://registry.example.test:5000', true],
    ['http://registry.example.test:5001/token', 'http://registry.example.test:5000', false],
    ['http://127.0.0.1:9999/token', 'https://ghcr.io', true],
    ['http://[::1]:9999/token', 'https://ghcr.io', true],
    ['ftp://auth.example.test/token', 'https://ghcr.io', false],
  ])('realm %s for %s: %s', (realm, origin, want) => expect(realmAllowed(new URL(realm), origin)).toBe(want));

  it.each([
    [undefined, undefined],
    ['</v2/a/tags/list?n=2&last=b>; rel="next"', 'https://r.test/v2/a/tags/list?n=2&last=b'],
    ['<https://r.test/v2/a/tags/list?last=b>; rel=next', 'https://r.test/v2/a/tags/list?last=b'],
    ['</v2/a/tags/list?last=a>; rel="prev", </v2/a/tags/list?last=c>; rel="next"', 'https://r.test/v2/a/tags/list?last=c'],
    ['</v2/a/tags/list?last=a>; rel="prev"', undefined],
  ])('Link %s', (header, want) => expect(nextLink(header, 'https://r.test/v2/a/tags/list?n=2')).toBe(want));

  it.each([
    '<https://evil.test/v2/a/tags/list?last=b>; rel="next"',
    '<http://r.test/v2/a/tags/list>; rel="next"',
    '<https://r.test:444/v2/a/tags/list>; rel="next"',
    '<//evil.test/v2/a/tags/list>; rel="next"',
  ])('a Link to another origin is refused: %s', (header) => expect(() => nextLink(header, 'https://r.test/v2/a/tags/list')).toThrow(/another origin/));
});

describe('resumeOffset', () => {
  it.each([
    ['0-1048575', 1048576],
    ['bytes=0-99', 100],
    ['bytes 0-99', 100],
    ['0-0', 0],
    ['0--1', 0],
    [' 0-5 ', 6],
    ['5-10', undefined],
    ['', undefined],
    [undefined, undefined],
    ['garbage', undefined],
  ])('%j -> %j', (header, want) => expect(resumeOffset(header)).toBe(want));
});

describe('retryAfter', () => {
  const now = Date.parse('2026-11-28T08:00:00Z');
  it.each([
    ['3', 3000],
    ['0', 0],
    ['3600', 60000],
    ['Sat, 28 Nov 2026 08:00:10 GMT', 10000],
    ['Sat, 28 Nov 2026 07:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('%j -> %j', (header, want) => expect(retryAfter(header, now)).toBe(want));
});

describe('errorDetails', () => {
  it.each([
    ['{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}}]}', [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }]],
    ['{"errors":[{"code":"DENIED"},{"code":"UNAUTHORIZED","message":"m"}]}', [{ code: 'DENIED', message: '' }, { code: 'UNAUTHORIZED', message: 'm' }]],
    ['<html>502 Bad Gateway</html>', []],
    ['{"errors":"nope"}', []],
    ['', []],
  ])('%s', (body, want) => expect(errorDetails(body)).toEqual(want));
});
