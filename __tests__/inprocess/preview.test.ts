import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHubApi, type RecordedRequest } from '../support/github-api.ts';
import type { GitEvent } from '../support/runner.ts';
import { appWorkspace, PASSWORD, pushInputs, startRegistry } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

let reg: MemoryRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg.stop());

/** Enough of the REST API for repository details and issue comments, keeping what was posted. */
function fakeApi(): { api: FakeGitHubApi; comments: { id: number; body: string }[] } {
  const comments: { id: number; body: string }[] = [];
  const api = new FakeGitHubApi((req: RecordedRequest) => {
    if (req.method === 'GET' && req.path === '/repos/acme/hello-service') return { status: 200, body: { name: 'hello-service', html_url: 'https://github.com/acme/hello-service', default_branch: 'main' } };
    if (req.method === 'GET' && req.path.startsWith('/repos/acme/hello-service/issues/42/comments')) return { status: 200, body: comments };
    if (req.method === 'POST' && req.path === '/repos/acme/hello-service/issues/42/comments') {
      const c = { id: 1000 + comments.length, body: (JSON.parse(req.body) as { body: string }).body };
      comments.push(c);
      return { status: 201, body: c };
    }
    const patch = /^\/repos\/acme\/hello-service\/issues\/comments\/(\d+)$/.exec(req.path);
    if (req.method === 'PATCH' && patch) {
      const c = comments.find((x) => x.id === Number(patch[1]));
      if (!c) return { status: 404 };
      c.body = (JSON.parse(req.body) as { body: string }).body;
      return { status: 200, body: c };
    }
    return undefined;
  });
  return { api, comments };
}

const prEvent = (sha: string, head: string, action = 'synchronize'): GitEvent => ({
  name: 'pull_request',
  ref: 'refs/pull/42/merge',
  sha,
  payload: {
    action,
    number: 42,
    pull_request: { number: 42, state: action === 'closed' ? 'closed' : 'open', head: { sha: head, ref: 'feature', repo: { full_name: 'acme/hello-service' } }, base: { ref: 'main', repo: { full_name: 'acme/hello-service' } } },
    repository: { name: 'hello-service', full_name: 'acme/hello-service', default_branch: 'main' },
  },
});

describe('pull request preview images with a comment', () => {
  const repo = 'acme/preview';
  const { api, comments } = fakeApi();
  let first: InProcessRun;
  let second: InProcessRun;
  let closed: InProcessRun;
  beforeAll(async () => {
    const apiUrl = await api.start();
    const publish = async (head: string, action?: string) => {
      const ws = appWorkspace();
      // cleanup: off keeps the closed PR's preview (previews.test.ts removes it)
      const cleanup: Record<string, string> = action === 'closed' ? { cleanup: 'off' } : {};
      return runInProcess({ workspace: ws.dir, event: prEvent(ws.sha, head, action), env: { GITHUB_API_URL: apiUrl }, inputs: pushInputs(reg, repo, { 'pr-comment': 'true', 'pr-sha': 'head', 'github-token': 'ghs_preview_token', ...cleanup }) });
    };
    first = await publish('1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    second = await publish('2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    closed = await publish('2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'closed');
  });
  afterAll(() => api.stop());

  it('pushes pr-42 and sha-<head>', () => {
    expect(first.error, first.log).toBeUndefined();
    expect(first.outputs['tag-names'].split('\n')).toEqual(['pr-42', 'sha-1111111']);
    expect(reg.manifest(repo, 'sha-1111111')?.digest).toBe(first.outputs.digest);
  });

  it('creates exactly one comment, carrying the digest, and updates it on the next push', () => {
    expect(second.error, second.log).toBeUndefined();
    expect(reg.manifest(repo, 'pr-42')?.digest).toBe(second.outputs.digest);
    const posts = api.requests.filter((r) => r.method === 'POST');
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(posts).toHaveLength(1);
    expect(patches.length).toBeGreaterThanOrEqual(1);
    expect(comments).toHaveLength(1);
    expect(posts[0].body).toContain(first.outputs.digest);
    expect(JSON.parse(patches[0].body).body).toContain(`${reg.host}/${repo}@${second.outputs.digest}`);
    expect(JSON.parse(patches[0].body).body).toContain('docker pull');
    expect(api.requests.every((r) => r.authorization === 'Bearer ghs_preview_token')).toBe(true);
  });

  it('on a closed PR with cleanup: off pushes nothing and marks the preview stale', () => {
    expect(closed.error, closed.log).toBeUndefined();
    expect(closed.outputs.pushed).toBe('false');
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('stale');
  });

  it('writes a job summary with the digest and the stage timings, and nothing secret', () => {
    expect(second.summary).toContain(second.outputs.digest);
    expect(second.summary).toMatch(/\| Java build \| \d+\.\d s \|/);
    expect(second.summary).toMatch(/\| Push \| \d+\.\d s \|/);
    expect(second.summary).toMatch(/\*\*Image:\*\* [\d.]+ [KM]B compressed, 1 layers/);
    for (const run of [first, second, closed]) {
      expect(run.everything).not.toContain(PASSWORD);
      expect(run.everything).not.toContain('ghs_preview_token');
    }
  });
});

describe('a token without pull-requests: write', () => {
  const api = new FakeGitHubApi((req) => (req.path.includes('/issues/') ? { status: 403, body: { message: 'Resource not accessible by integration' } } : undefined));
  afterAll(() => api.stop());

  it('publishes, and the comment is only a warning', async () => {
    const apiUrl = await api.start();
    const ws = appWorkspace();
    const run = await runInProcess({ workspace: ws.dir, event: prEvent(ws.sha, ws.sha), env: { GITHUB_API_URL: apiUrl }, inputs: pushInputs(reg, 'acme/noperm', { 'pr-comment': 'true', 'github-token': 'ghs_readonly' }) });
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs.pushed).toBe('true');
    expect(run.log).toMatch(/::warning::The preview comment was not posted: .*403.* needs `pull-requests: write`/);
    expect(api.requests.filter((r) => r.method === 'GET' && r.path.includes('/issues/42/comments'))).toHaveLength(1);
  });
});

describe('a pull request from a fork, with no credentials', () => {
  it('builds, pushes nothing, says why, and passes', async () => {
    const ws = appWorkspace();
    const run = await runInProcess({
      workspace: ws.dir,
      event: {
        name: 'pull_request',
        ref: 'refs/pull/7/merge',
        sha: ws.sha,
        payload: { number: 7, pull_request: { number: 7, head: { sha: ws.sha, repo: { full_name: 'stranger/hello-service' } }, base: { ref: 'main', repo: { full_name: 'acme/hello-service' } } }, repository: { name: 'hello-service' } },
      },
      inputs: pushInputs(reg, 'acme/fork', { password: '', push: 'true' }),
    });
    expect(run.error, run.log).toBeUndefined();
    expect(run.log).toContain('::notice::This pull request comes from stranger/hello-service');
    expect(run.outputs.pushed).toBe('false');
    expect(run.outputs['image-id']).toMatch(/^sha256:/);
    expect(reg.tags('acme/fork')).toEqual([]);
    expect(reg.requests.filter((r) => r.path.includes('acme/fork') && r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  });
});
