import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHubApi, type RecordedRequest } from '../support/github-api.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeGhcr } from '../support/packages-api.ts';
import { branchEvent } from '../support/events.ts';
import { ROOT, type GitEvent } from '../support/runner.ts';
import { fakeBuilders, type FakeBuilds } from './support/builder.ts';
import { appWorkspace, PASSWORD, pushInputs, startRegistry, USER } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess } from './support/run.ts';

const HEAD_A = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const HEAD_B = '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const DAY = 24 * 3600 * 1000;

const prEvent = (n: number, sha: string, head: string, action = 'synchronize'): GitEvent => ({
  name: 'pull_request',
  ref: `refs/pull/${n}/merge`,
  sha,
  payload: {
    action,
    number: n,
    pull_request: { number: n, state: action === 'closed' ? 'closed' : 'open', head: { sha: head, ref: 'feature', repo: { full_name: 'acme/hello-service' } }, base: { ref: 'main', repo: { full_name: 'acme/hello-service' } } },
    repository: { name: 'hello-service', full_name: 'acme/hello-service', default_branch: 'main' },
  },
});

/** Issue comments, and pull requests by number: their state, closing time and commits. */
function fakeApi(pulls: Record<number, { closedAt?: Date; commits: string[] }>): { api: FakeGitHubApi; comments: { id: number; body: string }[]; handler: (r: RecordedRequest) => { status: number; body?: unknown } | undefined } {
  const comments: { id: number; body: string }[] = [];
  const handler = (req: RecordedRequest): { status: number; body?: unknown } | undefined => {
    const path = req.path.split('?')[0];
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/acme\/hello-service\/issues\/(\d+)\/comments$/.exec(path))) {
      if (req.method === 'GET') return { status: 200, body: comments };
      const c = { id: 1000 + comments.length, body: (JSON.parse(req.body) as { body: string }).body };
      comments.push(c);
      return { status: 201, body: c };
    }
    if ((m = /^\/repos\/acme\/hello-service\/issues\/comments\/(\d+)$/.exec(path)) && req.method === 'PATCH') {
      const c = comments.find((x) => x.id === Number(m![1]))!;
      c.body = (JSON.parse(req.body) as { body: string }).body;
      return { status: 200, body: c };
    }
    if ((m = /^\/repos\/acme\/hello-service\/pulls\/(\d+)(\/commits)?$/.exec(path))) {
      const pr = pulls[Number(m[1])];
      if (!pr) return { status: 404, body: { message: 'Not Found' } };
      if (m[2]) return { status: 200, body: pr.commits.map((sha) => ({ sha })) };
      const head = pr.commits[pr.commits.length - 1];
      return { status: 200, body: { number: Number(m[1]), state: pr.closedAt ? 'closed' : 'open', closed_at: pr.closedAt?.toISOString() ?? null, head: { sha: head }, merge_commit_sha: null } };
    }
    return undefined;
  };
  return { api: new FakeGitHubApi(handler), comments, handler };
}

const COSIGN_SIG = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** A cosign-style signature manifest of `digest` under `sha256-<hex>.sig`, seeded straight into the registry. */
function seedSignature(reg: MemoryRegistry, repo: string, digest: string): string {
  const config = Buffer.from('{}');
  const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': digest } } }));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: reg.seedBlob(repo, config), size: config.length },
    layers: [{ mediaType: COSIGN_SIG, digest: reg.seedBlob(repo, payload), size: payload.length }],
  };
  return reg.seedManifest(repo, manifest.mediaType, Buffer.from(JSON.stringify(manifest)), `${digest.replace(':', '-')}.sig`);
}

let reg: MemoryRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg.stop());

describe('a closed pull request takes its preview with it', () => {
  const repo = 'acme/preview-closed';
  const { api, comments } = fakeApi({ 42: { commits: [HEAD_A, HEAD_B] } });
  const inputs = (extra: Record<string, string> = {}) => pushInputs(reg, repo, { 'pr-comment': 'true', 'pr-sha': 'head', 'github-token': 'ghs_preview_token', ...extra });
  const calls: FakeBuilds = { kinds: [], jars: [] };
  let first: string;
  let second: string;
  let signature: string;
  let closed: Awaited<ReturnType<typeof runInProcess>>;
  beforeAll(async () => {
    const env = { GITHUB_API_URL: await api.start() };
    const publish = async (head: string) => (await runInProcess({ workspace: appWorkspace().dir, event: prEvent(42, head, head), env, inputs: inputs() })).outputs.digest;
    first = await publish(HEAD_A);
    second = await publish(HEAD_B);
    signature = seedSignature(reg, repo, first);
    // main names the second preview's manifest too: it must stay
    const kept = reg.manifest(repo, second)!;
    reg.seedManifest(repo, kept.mediaType, kept.bytes, 'main');
    closed = await runInProcess({ workspace: appWorkspace().dir, event: prEvent(42, HEAD_B, HEAD_B, 'closed'), env, inputs: inputs(), builders: fakeBuilders(calls) });
  });
  afterAll(() => api.stop());

  it('removes pr-42, every sha tag of its commits and the signature; runs no build', () => {
    expect(closed.error, closed.log).toBeUndefined();
    expect(calls.kinds).toEqual([]);
    expect(reg.tags(repo)).toEqual(['main']);
    expect(reg.manifest(repo, first)).toBeUndefined();
    expect(reg.manifest(repo, signature)).toBeUndefined();
    expect(closed.log).toContain('sha-1111111');
  });

  it('keeps the manifest main still names, which still resolves', () => {
    expect(reg.manifest(repo, 'main')?.digest).toBe(second);
    expect(closed.log).toContain(`kept ${second} (another tag names it)`);
  });

  it('says so in the same comment', () => {
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(`its preview image was removed from \`${reg.host}/${repo}\``);
    expect(comments[0].body).not.toContain('docker pull');
    expect(closed.everything).not.toContain(PASSWORD);
    expect(closed.everything).not.toContain('ghs_preview_token');
  });
});

describe('a fast-forward merge: main built a commit of the pull request too', () => {
  const repo = 'acme/preview-ff';
  const tags = 'type=ref,event=branch\ntype=ref,event=pr\ntype=sha';
  let mainDigest: string;
  let run: Awaited<ReturnType<typeof runInProcess>>;
  beforeAll(async () => {
    await runInProcess({ workspace: appWorkspace().dir, event: prEvent(43, HEAD_A, HEAD_A), inputs: pushInputs(reg, repo, { tags }) });
    // main's push run of the same commit moves sha-1111111 onto its own image (version label: main)
    mainDigest = (await runInProcess({ workspace: appWorkspace().dir, event: branchEvent(HEAD_A, 'main'), inputs: pushInputs(reg, repo, { tags }) })).outputs.digest;
    run = await runInProcess({ workspace: appWorkspace().dir, event: prEvent(43, HEAD_A, HEAD_A, 'closed'), inputs: pushInputs(reg, repo, { tags }) });
  });

  it("removes pr-43 and leaves main's sha tag of the same commit", () => {
    expect(run.error, run.log).toBeUndefined();
    expect(reg.tags(repo)).toEqual(['main', 'sha-1111111']);
    expect(reg.manifest(repo, 'sha-1111111')?.digest).toBe(mainDigest);
    expect(run.log).toContain(`${reg.host}/${repo}:sha-1111111 names an image of another run (version main, not pr-43): it stays.`);
  });
});

describe('what the clean-up inputs refuse or leave', () => {
  it('a bad cleanup value fails before any request, naming the input', async () => {
    const before = reg.requests.length;
    const run = await runInProcess({ workspace: appWorkspace().dir, event: prEvent(5, HEAD_A, HEAD_A, 'closed'), inputs: pushInputs(reg, 'acme/bad-cleanup', { cleanup: 'maybe' }) });
    expect(run.error).toMatch(/cleanup.*"maybe" is not one of auto, off, sweep/);
    expect(reg.requests.length).toBe(before);
  });

  it('a bad cleanup-older-than fails naming the input', async () => {
    const run = await runInProcess({ workspace: appWorkspace().dir, event: prEvent(5, HEAD_A, HEAD_A), inputs: pushInputs(reg, 'acme/bad-cleanup', { cleanup: 'sweep', 'cleanup-older-than': 'a week' }) });
    expect(run.error).toMatch(/cleanup-older-than.*"a week" is not an age/);
  });

  it('cleanup: off keeps what a closed pull request did before: a build, no push, nothing removed', async () => {
    const repo = 'acme/preview-off';
    const ws = appWorkspace();
    await runInProcess({ workspace: ws.dir, event: prEvent(6, HEAD_A, HEAD_A), inputs: pushInputs(reg, repo) });
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const run = await runInProcess({ workspace: ws.dir, event: prEvent(6, HEAD_A, HEAD_A, 'closed'), inputs: pushInputs(reg, repo, { cleanup: 'off' }), builders: fakeBuilders(calls) });
    expect(run.error, run.log).toBeUndefined();
    expect(calls.kinds).toHaveLength(1);
    expect(run.outputs.pushed).toBe('false');
    expect(reg.tags(repo)).toEqual(['pr-6']);
  });

  it('a registry that refuses deletion is a warning naming it, not a failure', async () => {
    const strict = await startRegistry({ noDelete: true });
    try {
      const ws = appWorkspace();
      await runInProcess({ workspace: ws.dir, event: prEvent(7, HEAD_A, HEAD_A), inputs: pushInputs(strict, 'acme/keeps') });
      const run = await runInProcess({ workspace: ws.dir, event: prEvent(7, HEAD_A, HEAD_A, 'closed'), inputs: pushInputs(strict, 'acme/keeps') });
      expect(run.error, run.log).toBeUndefined();
      expect(run.log).toMatch(new RegExp(`::warning::${strict.host}/acme/keeps: the preview was not removed: ${strict.host} refused the deletion .*405`));
      expect(strict.tags('acme/keeps')).toEqual(['pr-7']);
    } finally {
      await strict.stop();
    }
  });
});

describe('the sweep of pull requests closed long ago', () => {
  const repo = 'acme/preview-sweep';
  const now = new Date('2026-12-01T00:00:00Z');
  const { api } = fakeApi({ 70: { closedAt: new Date(now.getTime() - 10 * DAY), commits: [HEAD_A] }, 71: { closedAt: new Date(now.getTime() - DAY), commits: [HEAD_B] }, 72: { commits: ['3333333cccccccccccccccccccccccccccccccc'] } });
  let sweep: Awaited<ReturnType<typeof runInProcess>>;
  const calls: FakeBuilds = { kinds: [], jars: [] };
  beforeAll(async () => {
    const env = { GITHUB_API_URL: await api.start() };
    for (const [n, head] of [[70, HEAD_A], [71, HEAD_B], [72, '3333333cccccccccccccccccccccccccccccccc']] as const) {
      await runInProcess({ workspace: appWorkspace().dir, event: prEvent(n, head, head), env, inputs: pushInputs(reg, repo, { 'pr-sha': 'head' }) });
    }
    const schedule: GitEvent = { name: 'schedule', ref: 'refs/heads/main', sha: HEAD_A, payload: { schedule: '0 3 * * *', repository: { name: 'hello-service', full_name: 'acme/hello-service', default_branch: 'main' } } };
    sweep = await runInProcess({ workspace: appWorkspace().dir, event: schedule, env, now, inputs: pushInputs(reg, repo, { 'pr-sha': 'head', cleanup: 'sweep', 'cleanup-older-than': '7d', 'github-token': 'ghs_sweep' }), builders: fakeBuilders(calls) });
  });
  afterAll(() => api.stop());

  it('removes only the preview of the pull request closed more than 7 days ago, and builds nothing', () => {
    expect(sweep.error, sweep.log).toBeUndefined();
    expect(calls.kinds).toEqual([]);
    expect(reg.tags(repo)).toEqual(['pr-71', 'pr-72', 'sha-2222222', 'sha-3333333']);
    expect(sweep.log).toMatch(/#71 was closed at .*not long enough ago/);
    expect(sweep.log).toContain('#72 is open');
  });
});

describe('ghcr.io through the GitHub Packages API (a fake in front of the in-process registry)', () => {
  const repo = 'acme/preview-ghcr';
  let ghcr: FakeGhcr;
  let run: Awaited<ReturnType<typeof runInProcess>>;
  let kept: string;
  beforeAll(async () => {
    const { handler } = fakeApi({ 9: { commits: [HEAD_A] } });
    ghcr = new FakeGhcr({ backend: reg.host, backendAuth: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, owner: 'acme', token: 'ghs_packages', fallback: handler });
    await ghcr.start();
    const inputs = { images: `${ghcr.host}/${repo}`, 'java-tool': 'none', builder: 'native', cache: 'false', registry: ghcr.host, username: USER, password: PASSWORD, 'github-token': 'ghs_packages', 'github-container-registry': ghcr.host, 'pr-sha': 'head' };
    const env = { GITHUB_API_URL: ghcr.apiUrl };
    kept = (await runInProcess({ workspace: appWorkspace().dir, event: prEvent(9, HEAD_A, HEAD_A), env, inputs })).outputs.digest;
    const m = reg.manifest(repo, kept)!;
    reg.seedManifest(repo, m.mediaType, m.bytes, 'main');
    run = await runInProcess({ workspace: appWorkspace().dir, event: prEvent(9, HEAD_A, HEAD_A, 'closed'), env, inputs });
  });
  afterAll(() => ghcr.stop());

  it('takes the tags off through a placeholder version it then deletes, and never DELETEs on the registry API', () => {
    expect(run.error, run.log).toBeUndefined();
    expect(reg.tags(repo)).toEqual(['main']);
    expect(reg.manifest(repo, 'main')?.digest).toBe(kept);
    const deletes = ghcr.api.filter((r) => r.method === 'DELETE');
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    expect(deletes.every((r) => /^\/users\/acme\/packages\/container\/preview-ghcr\/versions\/\d+$/.test(r.path) && r.authorization === 'Bearer ghs_packages')).toBe(true);
    expect(ghcr.registry.filter((r) => r.method === 'DELETE')).toEqual([]);
  });
});

describe('a registry that serves the referrers API', () => {
  const repo = 'acme/preview-referrers';
  let served: MemoryRegistry;
  let signed: string;
  let referrers: string[];
  let subjects: (string | undefined)[];
  let run: Awaited<ReturnType<typeof runInProcess>>;
  beforeAll(async () => {
    served = await startRegistry({ referrers: true });
    const key = readFileSync(path.join(ROOT, '__tests__/fixtures/cosign/cosign.key'), 'utf8');
    const inputs = pushInputs(served, repo, { sign: 'key', 'signing-key': key, 'signing-password': 'test-only-password' });
    const published = await runInProcess({ workspace: appWorkspace().dir, event: prEvent(11, HEAD_A, HEAD_A), inputs });
    expect(published.error, published.log).toBeUndefined();
    signed = published.outputs.digest;
    referrers = served.requests.filter((r) => r.method === 'PUT' && /\/manifests\/sha256:/.test(r.path)).map((r) => r.path.split('/manifests/')[1]).filter((d) => d !== signed);
    subjects = referrers.map((r) => (JSON.parse(served.manifest(repo, r)?.bytes.toString() ?? '{}') as { subject?: { digest?: string } }).subject?.digest);
    run = await runInProcess({ workspace: appWorkspace().dir, event: prEvent(11, HEAD_A, HEAD_A, 'closed'), inputs });
  });
  afterAll(() => served.stop());

  it('deletes the referrers the API lists with the manifest', () => {
    expect(run.error, run.log).toBeUndefined();
    expect(referrers.length).toBeGreaterThanOrEqual(1);
    expect(subjects).toEqual(referrers.map(() => signed));
    expect(served.tags(repo)).toEqual([]);
    expect(served.manifest(repo, signed)).toBeUndefined();
    for (const r of referrers) expect(served.manifest(repo, r), r).toBeUndefined();
  });
});
