import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../support/github-api.ts';
import { FakeGhcr } from '../support/packages-api.ts';
import { ROOT, runAction, type ActionRun, type GitEvent } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, services, uniqueRepo, type Services } from '../support/services.ts';

// 127.0.0.1:5000 is .ci/services.sh's distribution with storage.delete.enabled; the second registry is a fake of
// ghcr.io (__tests__/support/packages-api.ts): a registry front that refuses DELETE, and the GitHub Packages API

const HEAD_A = 'aaaaaaa1111111111111111111111111111111111'.slice(0, 40);
const HEAD_B = 'bbbbbbb2222222222222222222222222222222222'.slice(0, 40);
const PR = 314;
const KEY = readFileSync(path.join(ROOT, '__tests__/fixtures/cosign/cosign.key'), 'utf8');
const KEY_PASSWORD = 'test-only-password';

let s: Services;
let ghcr: FakeGhcr;
const comments: { id: number; body: string }[] = [];

function prEvent(sha: string, head: string, action: string): GitEvent {
  return {
    name: 'pull_request',
    ref: `refs/pull/${PR}/merge`,
    sha,
    payload: {
      action,
      number: PR,
      pull_request: { number: PR, state: action === 'closed' ? 'closed' : 'open', head: { sha: head, ref: 'feature', repo: { full_name: 'acme/hello-service' } }, base: { ref: 'main', repo: { full_name: 'acme/hello-service' } } },
      repository: { name: 'hello-service', full_name: 'acme/hello-service', default_branch: 'main' },
    },
  };
}

/** The repository's comments and pull request commits, for the fake's other routes. */
function github(req: RecordedRequest): { status: number; body?: unknown } | undefined {
  const route = req.path.split('?')[0];
  if (route === `/repos/acme/hello-service/pulls/${PR}/commits`) return { status: 200, body: [{ sha: HEAD_A }, { sha: HEAD_B }] };
  if (route === `/repos/acme/hello-service/issues/${PR}/comments`) {
    if (req.method === 'GET') return { status: 200, body: comments };
    const c = { id: 500 + comments.length, body: (JSON.parse(req.body) as { body: string }).body };
    comments.push(c);
    return { status: 201, body: c };
  }
  const patch = /^\/repos\/acme\/hello-service\/issues\/comments\/(\d+)$/.exec(route);
  if (patch && req.method === 'PATCH') {
    const c = comments.find((x) => x.id === Number(patch[1]))!;
    c.body = (JSON.parse(req.body) as { body: string }).body;
    return { status: 200, body: c };
  }
  return undefined;
}

function creds(): string[] {
  return ['--tls-verify=false', '--creds', `${s.user}:${s.password}`];
}

const authorization = (): string => `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';

/** An image of the test: the real distribution is read with skopeo, the fake GHCR front over HTTP. */
interface Image {
  host: string;
  repo: string;
  name: string;
}

function listTags(image: Image): Promise<string[]> | string[] {
  if (image.host === s.registry) {
    const out = execFileSync('skopeo', ['list-tags', ...creds(), `docker://${image.name}`], { encoding: 'utf8', timeout: 60 * 1000 });
    return ((JSON.parse(out) as { Tags?: string[] }).Tags ?? []).sort();
  }
  return fetch(`http://${image.host}/v2/${image.repo}/tags/list`, { headers: { authorization: authorization() }, signal: AbortSignal.timeout(20000) })
    .then((r) => r.json() as Promise<{ tags?: string[] | null }>)
    .then((b) => (b.tags ?? []).sort());
}

/** The manifest a digest or tag names, or undefined when the registry answers 404. */
async function manifest(image: Image, ref: string): Promise<{ manifests?: { digest: string }[] } | undefined> {
  if (image.host === s.registry) {
    const r = spawnSync('skopeo', ['inspect', '--raw', ...creds(), `docker://${image.name}${ref.startsWith('sha256:') ? '@' : ':'}${ref}`], { encoding: 'utf8', timeout: 60 * 1000 });
    if (r.status === 0) return JSON.parse(r.stdout) as { manifests?: { digest: string }[] };
    if (/manifest unknown|not found/i.test(r.stderr)) return undefined;
    throw new Error(`skopeo inspect ${ref}: ${r.stderr || r.error?.message}`);
  }
  const res = await fetch(`http://${image.host}/v2/${image.repo}/manifests/${ref}`, { headers: { authorization: authorization(), accept: ACCEPT }, signal: AbortSignal.timeout(20000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET ${ref}: HTTP ${res.status}`);
  return (await res.json()) as { manifests?: { digest: string }[] };
}

/** Puts the manifest `digest` under `tag` too, as a push of main from the same build would. */
async function tagAs(host: string, repo: string, digest: string, tag: string): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
  const got = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, { headers: { authorization, accept }, signal: AbortSignal.timeout(20000) });
  if (!got.ok) throw new Error(`GET ${digest}: HTTP ${got.status}`);
  const type = got.headers.get('content-type') ?? '';
  const put = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { authorization, 'content-type': type }, body: Buffer.from(await got.arrayBuffer()), signal: AbortSignal.timeout(20000) });
  if (put.status !== 201) throw new Error(`PUT ${tag}: HTTP ${put.status}`);
}

const attached = (digest: string, kind: 'sig' | 'att'): string => `${digest.replace(':', '-')}.${kind}`;

describe('a pull request preview on two registries, gone when the PR closes', () => {
  const dist: Image = { host: '', repo: '', name: '' };
  const fake: Image = { host: '', repo: '', name: '' };
  const both = (): Image[] => [dist, fake];
  const runs: Record<string, ActionRun> = {};
  const digests: Record<string, string> = {};
  const children: Record<string, string[]> = {};
  const before: Record<string, string[]> = {};

  beforeAll(async () => {
    s = services();
    ghcr = new FakeGhcr({ backend: s.registry, backendAuth: authorization(), owner: 'e2e', token: 'ghs_e2e_packages', fallback: github });
    await ghcr.start();
    Object.assign(dist, { host: s.registry, repo: uniqueRepo('previews') });
    Object.assign(fake, { host: ghcr.host, repo: uniqueRepo('previews-ghcr') });
    for (const i of both()) i.name = `${i.host}/${i.repo}`;
    const auth = (host: string): string => `- registry: "${host}"\n  username: ${s.user}\n  password: ${s.password}\n`;
    const inputs = {
      images: `${dist.name}\n${fake.name}`,
      'registry-auth': auth(s.registry) + auth(ghcr.host),
      builder: 'native',
      'pr-sha': 'head',
      'pr-comment': 'true',
      sbom: 'true',
      sign: 'key',
      'signing-key': KEY,
      'signing-password': KEY_PASSWORD,
      'github-token': 'ghs_e2e_packages',
      'github-container-registry': ghcr.host,
      ...PREBUILT,
    };
    const ws = prebuiltWorkspace();
    const env = { ...ws.env, GITHUB_API_URL: ghcr.apiUrl };
    runs.first = await runAction({ workspace: ws.dir, event: prEvent(ws.sha, HEAD_A, 'opened'), env, inputs });
    digests.first = runs.first.outputs.digest;
    runs.second = await runAction({ workspace: ws.dir, event: prEvent(ws.sha, HEAD_B, 'synchronize'), env, inputs });
    digests.second = runs.second.outputs.digest;
    for (const [key, d] of Object.entries(digests)) children[key] = ((await manifest(dist, d))?.manifests ?? []).map((m) => m.digest);
    // main is pushed from the second preview's digest on both: that manifest, its children and attachments stay
    for (const i of both()) await tagAs(i.host, i.repo, digests.second, 'main');
    for (const i of both()) before[i.host] = await listTags(i);
    runs.closed = await runAction({ workspace: ws.dir, event: prEvent(ws.sha, HEAD_B, 'closed'), env, inputs });
  }, 15 * 60 * 1000);
  afterAll(() => ghcr?.stop());

  it('pushed the preview to both registries: pr-N, a sha tag per commit, an index with its SBOM, signatures', () => {
    expect(runs.first.main.code, runs.first.main.log).toBe(0);
    expect(runs.second.main.code, runs.second.main.log).toBe(0);
    expect(digests.first).not.toBe(digests.second);
    expect(children.first.length).toBeGreaterThanOrEqual(2);
    for (const i of both()) {
      expect(before[i.host]).toEqual(expect.arrayContaining([`pr-${PR}`, 'sha-aaaaaaa', 'sha-bbbbbbb', 'main', attached(digests.first, 'sig'), attached(digests.first, 'att')]));
    }
  });

  it('the closed PR removed the preview tags and what hangs off the first preview from both, building nothing', async () => {
    expect(runs.closed.main.code, runs.closed.main.log).toBe(0);
    expect(runs.closed.post.code).toBe(0);
    expect(runs.closed.main.log).not.toMatch(/Build the image|Java build/);
    for (const i of both()) expect(await listTags(i), i.name).toEqual(['main', attached(digests.second, 'att'), attached(digests.second, 'sig')].sort());
  });

  it('the first preview manifest and its children are gone on both', async () => {
    for (const i of both()) {
      expect(await manifest(i, digests.first), i.name).toBeUndefined();
      for (const child of children.first) expect(await manifest(i, child), `${i.name}@${child}`).toBeUndefined();
    }
  });

  it('the manifest main shares stays and still resolves, with its children', async () => {
    for (const i of both()) {
      expect((await manifest(i, 'main'))?.manifests?.map((m) => m.digest)).toEqual(children.second);
      for (const child of children.second) expect(await manifest(i, child)).toBeDefined();
    }
  });

  it('GHCR deletions went through the Packages API only', () => {
    expect(ghcr.registry.filter((r) => r.method === 'DELETE')).toEqual([]);
    const deletes = ghcr.api.filter((r) => r.method === 'DELETE');
    expect(deletes.length).toBeGreaterThanOrEqual(3);
    expect(deletes.every((r) => r.path.startsWith(`/users/e2e/packages/container/${encodeURIComponent(fake.repo.slice('e2e/'.length))}/versions/`))).toBe(true);
  });

  it('the same comment now says the preview was removed, and nothing secret was written', () => {
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('its preview image was removed from');
    expect(comments[0].body).toContain(dist.name);
    expect(comments[0].body).toContain(fake.name);
    for (const run of Object.values(runs)) {
      expect(run.everything).not.toContain(s.password);
      expect(run.everything).not.toContain('ghs_e2e_packages');
    }
  });
});
