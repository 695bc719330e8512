import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHubApi, type RecordedRequest } from '../support/github-api.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { registryDigest, services, uniqueRepo, workspace, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

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

const prEvent = (sha: string, head: string, action = 'synchronize') => ({
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
  const repo = uniqueRepo('preview');
  const { api, comments } = fakeApi();
  let first: ActionRun;
  let second: ActionRun;
  let closed: ActionRun;
  beforeAll(async () => {
    const apiUrl = await api.start();
    const publish = async (head: string, action?: string) => {
      const ws = workspace('__tests__/fixtures/maven-shaded');
      return runAction({
        workspace: ws.dir,
        event: prEvent(ws.sha, head, action),
        env: { ...ws.env, GITHUB_API_URL: apiUrl },
        inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, 'pr-comment': 'true', 'pr-sha': 'head', 'github-token': 'ghs_preview_token' },
      });
    };
    first = await publish('1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    second = await publish('2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    closed = await publish('2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'closed');
  });
  afterAll(() => api.stop());

  it('pushes pr-42 and sha-<head>', async () => {
    expect(first.main.code, first.main.log).toBe(0);
    expect(first.outputs['tag-names'].split('\n')).toEqual(['pr-42', 'sha-1111111']);
    expect(await registryDigest(s, repo, 'sha-1111111')).toBe(first.outputs.digest);
  });

  it('creates exactly one comment, carrying the digest, and updates it on the next push', async () => {
    expect(second.main.code, second.main.log).toBe(0);
    expect(await registryDigest(s, repo, 'pr-42')).toBe(second.outputs.digest);
    const posts = api.requests.filter((r) => r.method === 'POST');
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(posts).toHaveLength(1);
    expect(patches.length).toBeGreaterThanOrEqual(1);
    expect(comments).toHaveLength(1);
    expect(posts[0].body).toContain(first.outputs.digest);
    expect(JSON.parse(patches[0].body).body).toContain(`${s.registry}/${repo}@${second.outputs.digest}`);
    expect(JSON.parse(patches[0].body).body).toContain('docker pull');
    expect(api.requests.every((r) => r.authorization === 'Bearer ghs_preview_token')).toBe(true);
  });

  it('on a closed PR pushes nothing and marks the preview stale', () => {
    expect(closed.main.code, closed.main.log).toBe(0);
    expect(closed.outputs.pushed).toBe('false');
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('stale');
  });

  it('writes a job summary with the digest and the stage timings, and nothing secret', () => {
    const summary = readFileSync(second.summaryFile, 'utf8');
    expect(summary).toContain(second.outputs.digest);
    expect(summary).toMatch(/\| Java build \| \d+\.\d s \|/);
    expect(summary).toMatch(/\| Push \| \d+\.\d s \|/);
    expect(summary).toMatch(/\*\*Image:\*\* [\d.]+ MB compressed, \d+ layers/);
    for (const run of [first, second, closed]) {
      expect(run.everything).not.toContain(s.password);
      expect(run.everything).not.toContain('ghs_preview_token');
    }
  });
});

describe('a token without pull-requests: write', () => {
  const repo = uniqueRepo('noperm');
  const api = new FakeGitHubApi((req) => (req.path.includes('/issues/') ? { status: 403, body: { message: 'Resource not accessible by integration' } } : undefined));
  afterAll(() => api.stop());

  it('publishes, and the comment is only a warning', async () => {
    const apiUrl = await api.start();
    const ws = workspace('__tests__/fixtures/maven-shaded');
    const run = await runAction({
      workspace: ws.dir,
      event: prEvent(ws.sha, ws.sha),
      env: { ...ws.env, GITHUB_API_URL: apiUrl },
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password, 'pr-comment': 'true', 'github-token': 'ghs_readonly' },
    });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    expect(run.main.log).toMatch(/::warning::The preview comment was not posted: .*403.* needs `pull-requests: write`/);
    expect(api.requests.filter((r) => r.method === 'GET' && r.path.includes('/issues/42/comments'))).toHaveLength(1);
  });
});

describe('annotations where the code is', () => {
  it('a compile error is annotated on its file and line, and the summary names the stage', async () => {
    const ws = workspace('__tests__/fixtures/maven-broken');
    const run = await runAction({ workspace: ws.dir, event: prEvent(ws.sha, ws.sha), env: ws.env, inputs: { images: `${s.registry}/${uniqueRepo('annot')}`, push: 'false' } });
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error title=maven build,file=src\/main\/java\/com\/acme\/hello\/Main\.java,line=22,col=23::';' expected/);
    const summary = readFileSync(run.summaryFile, 'utf8');
    expect(summary).toContain('**Stage that failed:** Java build');
    expect(summary).toContain("';' expected");
  });

  it('a Dockerfile error is annotated on the Dockerfile line', async () => {
    const ws = workspace('__tests__/fixtures/maven-shaded');
    const dockerfile = path.join(ws.dir, 'Dockerfile');
    writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8') + 'COPY missing-file.txt /x\n');
    const run = await runAction({ workspace: ws.dir, event: prEvent(ws.sha, ws.sha), env: ws.env, inputs: { images: `${s.registry}/${uniqueRepo('annot')}`, registry: s.registry, username: s.user, password: s.password, push: 'false' } });
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error title=image build,file=Dockerfile,line=6::.*missing-file\.txt/);
  });
});
