import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { FakeGitHubApi } from '../support/github-api.ts';
import { SHADED, workspace } from '../support/services.ts';
import { appWorkspace, pushInputs, startRegistry } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess } from './support/run.ts';

const SEMVER_RULES = 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}},floating=highest\ntype=semver,pattern={{major}},floating=highest';

describe('latest=highest against a registry that already holds 2.0.0', () => {
  let reg: MemoryRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(() => reg.stop());

  const publish = (tag: string) => {
    const ws = appWorkspace();
    return runInProcess({ workspace: ws.dir, event: tagEvent(ws.sha, tag), inputs: pushInputs(reg, 'acme/highest', { tags: SEMVER_RULES, flavor: 'latest=highest' }) });
  };

  it('a hotfix 1.2.4 after 2.0.0 moves 1.2 and 1, but not latest', async () => {
    const v2 = await publish('v2.0.0');
    expect(v2.error, v2.log).toBeUndefined();
    expect(v2.outputs['tag-names'].split('\n')).toEqual(['2.0.0', '2.0', '2', 'latest']);

    const hotfix = await publish('v1.2.4');
    expect(hotfix.error, hotfix.log).toBeUndefined();
    expect(hotfix.outputs['tag-names'].split('\n')).toEqual(['1.2.4', '1.2', '1']);
    expect(hotfix.outputs.digest).not.toBe(v2.outputs.digest);
    expect(reg.manifest('acme/highest', 'latest')?.digest).toBe(v2.outputs.digest);
    expect(reg.manifest('acme/highest', '2')?.digest).toBe(v2.outputs.digest);
    expect(reg.manifest('acme/highest', '1')?.digest).toBe(hotfix.outputs.digest);
    // the published tags were read with the credentials, before anything was pushed
    const listed = reg.requests.findIndex((r) => r.path.includes('/tags/list') && r.user === 'ci-user');
    expect(listed).toBeGreaterThanOrEqual(0);
    expect(listed).toBeLessThan(reg.requests.findIndex((r) => r.method === 'PUT'));
  });
});

describe('labels from the REST API, PR head sha, dry run', () => {
  const head = 'f00dfacecafe0123456789abcdef0123456789ab';
  const api = new FakeGitHubApi((req) =>
    req.method === 'GET' && req.path === '/repos/acme/hello-service'
      ? { status: 200, body: { name: 'hello-service', full_name: 'acme/hello-service', description: 'From the API', html_url: 'https://github.com/acme/hello-service', default_branch: 'main', license: { spdx_id: 'Apache-2.0' } } }
      : req.method === 'GET' && req.path === `/repos/acme/hello-service/commits/${head}`
        ? { status: 200, body: { sha: head, commit: { committer: { date: '2026-10-30T08:00:00Z' } } } }
        : undefined,
  );
  let apiUrl: string;
  beforeAll(async () => {
    apiUrl = await api.start();
  });
  afterAll(() => api.stop());

  it('reads the repository with the token, and tags a PR with its number and head commit', async () => {
    const ws = workspace(SHADED);
    const run = await runInProcess({
      workspace: ws.dir,
      event: {
        name: 'pull_request',
        ref: 'refs/pull/42/merge',
        sha: ws.sha,
        payload: { number: 42, pull_request: { number: 42, head: { sha: head, ref: 'feature', repo: { full_name: 'acme/hello-service' } }, base: { ref: 'main', repo: { full_name: 'acme/hello-service' } } }, repository: { name: 'hello-service', default_branch: 'main' } },
      },
      env: { GITHUB_API_URL: apiUrl },
      inputs: { images: 'acme/hello-service', tags: 'type=ref,event=pr\ntype=sha', 'pr-sha': 'head', 'dry-run': 'true', 'github-token': 'ghs_fake_token_for_tests' },
    });
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs['tag-names'].split('\n')).toEqual(['pr-42', 'sha-f00dfac']);
    const labels = run.outputs.labels.split('\n');
    expect(labels).toContain('org.opencontainers.image.licenses=Apache-2.0');
    expect(labels).toContain('org.opencontainers.image.description=From the API');
    expect(labels).toContain(`org.opencontainers.image.revision=${head}`);
    // the commit the labels name is the PR head, which only the REST API knows here (as metadata-action asks it)
    expect(labels).toContain('org.opencontainers.image.created=2026-10-30T08:00:00.000Z');
    expect(api.requests.map((r) => [r.path, r.authorization])).toEqual([
      [`/repos/acme/hello-service/commits/${head}`, 'Bearer ghs_fake_token_for_tests'],
      ['/repos/acme/hello-service', 'Bearer ghs_fake_token_for_tests'],
    ]);
    expect(run.secrets).toContain('ghs_fake_token_for_tests');
    expect(run.everything).not.toContain('ghs_fake_token_for_tests');
  });
});

describe('a schedule event in a workspace without git history', () => {
  const sha = '5ca1ab1e0123456789abcdef0123456789abcdef';
  const api = new FakeGitHubApi((req) => (req.method === 'GET' && req.path === `/repos/acme/hello-service/commits/${sha}` ? { status: 200, body: { sha, commit: { committer: { date: '2026-09-15T21:30:00Z' } } } } : undefined));
  let apiUrl: string;
  beforeAll(async () => {
    apiUrl = await api.start();
  });
  afterAll(() => api.stop());

  it('takes the commit time from the REST API, as metadata-action does, for {{commit_date}} and the created label', async () => {
    const ws = workspace(SHADED);
    rmSync(path.join(ws.dir, '.git'), { recursive: true, force: true });
    const run = await runInProcess({
      workspace: ws.dir,
      event: { name: 'schedule', ref: 'refs/heads/main', sha, payload: { schedule: '0 3 * * *', repository: { name: 'hello-service', default_branch: 'main' } } },
      env: { GITHUB_API_URL: apiUrl },
      inputs: { images: 'acme/hello-service', tags: "type=schedule,pattern=nightly-{{commit_date 'YYYYMMDD-HHmm' tz='Europe/Berlin'}}", 'dry-run': 'true', 'github-token': 'ghs_schedule_token' },
    });
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs['tag-names']).toBe('nightly-20260915-2330');
    expect(run.outputs.labels.split('\n')).toContain('org.opencontainers.image.created=2026-09-15T21:30:00.000Z');
    expect(run.log).toContain(`Commit time of ${sha}: 2026-09-15T21:30:00.000Z (from the REST API)`);
    expect(api.requests.filter((r) => r.path.includes('/commits/')).map((r) => r.authorization)).toEqual(['Bearer ghs_schedule_token']);
  });
});
