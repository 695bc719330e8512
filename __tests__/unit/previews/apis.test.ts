import { afterEach, describe, expect, it } from 'vitest';
import { parseCleanup } from '../../../src/inputs/cleanup.js';
import { DockerHubTags } from '../../../src/previews/hub.js';
import { packageOf, PackageVersions } from '../../../src/previews/packages.js';
import { pullCommits, pullState } from '../../../src/previews/pulls.js';
import type { RetryPolicy } from '../../../src/retry/retry.js';
import { FakeGitHubApi, type Handler } from '../../support/github-api.ts';

const policy = (): RetryPolicy & { reasons: string[] } => {
  const reasons: string[] = [];
  return { retries: 2, totalMs: 10_000, random: () => 0, sleep: async () => undefined, onRetry: (_a, r) => void reasons.push(r), reasons };
};

let api: FakeGitHubApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});
async function serve(h: Handler): Promise<string> {
  api = new FakeGitHubApi(h);
  return api.start();
}

// no Docker Hub is reachable here: these check the requests as Hub's API reference describes them, against a local stand-in
describe('Docker Hub tags', () => {
  it('logs in once at /v2/auth/token and deletes each tag under /v2/namespaces/…/repositories/…/tags/…', async () => {
    const base = await serve((r) => {
      if (r.method === 'POST' && r.path === '/v2/auth/token') return { status: 200, body: { access_token: 'jwt-1' } };
      if (r.method === 'DELETE' && r.path === '/v2/namespaces/acme/repositories/app/tags/pr-42') return { status: 204 };
      return undefined;
    });
    const hub = new DockerHubTags({ base, credentials: { username: 'acme', password: 'dckr_pat_x' }, policy: policy() });
    expect(await hub.deleteTag('acme/app', 'pr-42')).toBe(true);
    expect(await hub.deleteTag('acme/app', 'sha-1234567')).toBe(false);
    const [login, ...deletes] = api!.requests;
    expect(login).toMatchObject({ method: 'POST', path: '/v2/auth/token' });
    expect(JSON.parse(login.body)).toEqual({ identifier: 'acme', secret: 'dckr_pat_x' });
    expect(deletes.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ['DELETE', '/v2/namespaces/acme/repositories/app/tags/pr-42', 'Bearer jwt-1'],
      ['DELETE', '/v2/namespaces/acme/repositories/app/tags/sha-1234567', 'Bearer jwt-1'],
    ]);
  });

  it('a 403 is an answer at once, never retried', async () => {
    const base = await serve((r) => (r.path === '/v2/auth/token' ? { status: 200, body: { access_token: 'jwt' } } : { status: 403, body: { message: 'forbidden' } }));
    const p = policy();
    await expect(new DockerHubTags({ base, credentials: { username: 'u', password: 'p' }, policy: p }).deleteTag('acme/app', 'pr-1')).rejects.toMatchObject({ status: 403 });
    expect(api!.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(p.reasons).toEqual([]);
  });

  it('without a login it asks for one before any request', async () => {
    const base = await serve(() => undefined);
    await expect(new DockerHubTags({ base, policy: policy() }).deleteTag('acme/app', 'pr-1')).rejects.toThrow(/give `username` and `password`/);
    expect(api!.requests).toEqual([]);
  });
});

describe('GitHub Packages versions', () => {
  it('names the package as the API spells it', () => {
    expect(packageOf('acme/app/api')).toEqual({ owner: 'acme', name: 'app%2Fapi' });
  });

  it('tries the organisation, then the user; deletes the version named by the digest', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const base = await serve((r) => {
      if (r.path.startsWith('/orgs/')) return { status: 404, body: { message: 'Not Found' } };
      if (r.method === 'GET' && r.path === '/users/octo/packages/container/app%2Fapi/versions?per_page=100&page=1') return { status: 200, body: [{ id: 7, name: `sha256:${'b'.repeat(64)}` }, { id: 9, name: digest }] };
      if (r.method === 'DELETE' && r.path === '/users/octo/packages/container/app%2Fapi/versions/9') return { status: 204 };
      return undefined;
    });
    const versions = new PackageVersions({ apiUrl: base, token: 'ghs_t', policy: policy() }, 'octo/app/api');
    expect(await versions.deleteDigest(digest)).toBe(true);
    expect(api!.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /orgs/octo/packages/container/app%2Fapi/versions?per_page=100&page=1',
      'GET /users/octo/packages/container/app%2Fapi/versions?per_page=100&page=1',
      'DELETE /users/octo/packages/container/app%2Fapi/versions/9',
    ]);
    expect(api!.requests.every((r) => r.authorization === 'Bearer ghs_t')).toBe(true);
  });

  it('a digest that is no version is read again once, then false', async () => {
    const base = await serve((r) => (r.method === 'GET' ? { status: 200, body: [] } : undefined));
    expect(await new PackageVersions({ apiUrl: base, token: 't', policy: policy() }, 'acme/app').deleteDigest(`sha256:${'c'.repeat(64)}`)).toBe(false);
    expect(api!.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('a package under neither owner kind is an error naming it', async () => {
    const base = await serve(() => undefined);
    await expect(new PackageVersions({ apiUrl: base, token: 't', policy: policy() }, 'acme/app').deleteDigest(`sha256:${'c'.repeat(64)}`)).rejects.toThrow(/container package acme\/app was not found/);
  });
});

describe('pull requests', () => {
  const ctx = { apiUrl: '', repository: 'acme/app' };
  it('lists the commits, and the state with its closing time', async () => {
    const sha = 'd'.repeat(40);
    const base = await serve((r) => {
      if (r.path === '/repos/acme/app/pulls/5/commits?per_page=100&page=1') return { status: 200, body: [{ sha }, { sha: 'not-a-sha' }] };
      if (r.path === '/repos/acme/app/pulls/5') return { status: 200, body: { state: 'closed', closed_at: '2026-11-01T00:00:00Z', head: { sha }, merge_commit_sha: null } };
      return undefined;
    });
    const pulls = { ctx: { ...ctx, apiUrl: base }, token: 't', policy: policy() };
    expect(await pullCommits(pulls, 5, () => undefined)).toEqual([sha]);
    expect(await pullState(pulls, 5)).toEqual({ number: 5, closedAt: new Date('2026-11-01T00:00:00Z'), headSha: sha });
    expect(await pullState(pulls, 6)).toBeUndefined();
  });

  it('commits the API cannot list are a warning and none', async () => {
    const base = await serve(() => ({ status: 403, body: {} }));
    const warnings: string[] = [];
    expect(await pullCommits({ ctx: { ...ctx, apiUrl: base }, token: 't', policy: policy() }, 5, (m) => warnings.push(m))).toEqual([]);
    expect(warnings[0]).toMatch(/The commits of #5 could not be listed .*403/);
  });
});

describe('parseCleanup', () => {
  const read = (v: Record<string, string>) => (n: string) => v[n] ?? '';
  it('defaults: auto, 7 days, ghcr.io', () => {
    expect(parseCleanup(read({}))).toEqual({ mode: 'auto', olderThanMs: 7 * 24 * 3600 * 1000, packagesRegistry: 'ghcr.io' });
  });
  it.each([
    [{ cleanup: 'sometimes' }, /Input 'cleanup': "sometimes" is not one of auto, off, sweep/],
    [{ 'cleanup-older-than': '7' }, /Input 'cleanup-older-than': "7" is not an age/],
    [{ 'cleanup-older-than': '1w' }, /Input 'cleanup-older-than'/],
    [{ 'github-container-registry': 'https://ghcr.io/x' }, /Input 'github-container-registry'/],
  ])('refuses %j', (values, message) => expect(() => parseCleanup(read(values))).toThrow(message));
  it('takes hours and a GHES host', () => {
    expect(parseCleanup(read({ 'cleanup-older-than': '36h', 'github-container-registry': 'containers.github.example.com' }))).toMatchObject({ olderThanMs: 36 * 3600 * 1000, packagesRegistry: 'containers.github.example.com' });
  });
});
