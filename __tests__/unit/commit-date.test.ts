/** The commit time, in metadata-action's order: payload commits[], head_commit, REST API; then git; else unknown. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunnerContext } from '../../src/context.js';
import { commitDate } from '../../src/github.js';
import { payloadCommitDate } from '../../src/tags/index.js';
import { FakeGitHubApi } from '../support/github-api.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const OTHER = 'fedcba9876543210fedcba9876543210fedcba98';
const PUSHED = '2026-10-01T10:00:00+02:00';
const HEAD = '2026-10-02T10:00:00Z';
const API = '2026-10-03T10:00:00Z';
const GIT = '2026-10-04T10:00:00Z';

describe('the commit time in the event payload', () => {
  test.each([
    ['the commits[] entry of the sha', { commits: [{ id: OTHER, timestamp: HEAD }, { id: SHA, timestamp: PUSHED }], head_commit: { id: SHA, timestamp: HEAD } }, PUSHED],
    ['head_commit when commits[] lacks the sha', { commits: [{ id: OTHER, timestamp: PUSHED }], head_commit: { id: SHA, timestamp: HEAD } }, HEAD],
    ['head_commit of another sha: not this commit', { head_commit: { id: OTHER, timestamp: HEAD } }, undefined],
    ['an unreadable timestamp is no date', { head_commit: { id: SHA, timestamp: 'yesterday' } }, undefined],
    ['a schedule payload has none', { schedule: '0 3 * * *' }, undefined],
  ])('%s', (_name, payload, expected) => {
    expect(payloadCommitDate(payload, SHA)?.toISOString()).toBe(expected && new Date(expected).toISOString());
  });
});

describe('the order of the sources', () => {
  // the API knows SHA and the repository's first commit, not its second
  const known = [SHA];
  const api = new FakeGitHubApi((req) => {
    const sha = known.find((k) => req.path === `/repos/acme/hello-service/commits/${k}`);
    return sha ? { status: 200, body: { sha, commit: { committer: { date: API }, author: { date: '2000-01-01T00:00:00Z' } } } } : undefined;
  });
  let apiUrl: string;
  let repoDir: string;
  let bothSha: string;
  let gitSha: string;
  beforeAll(async () => {
    apiUrl = await api.start();
    repoDir = mkdtempSync(path.join(os.tmpdir(), 'ip-commit-date-'));
    const git = (...a: string[]): string =>
      execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: repoDir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z', GIT_COMMITTER_DATE: GIT } }).trim();
    git('init', '-q');
    writeFileSync(path.join(repoDir, 'a'), 'a');
    git('add', 'a');
    git('commit', '-qm', 'a');
    bothSha = git('rev-parse', 'HEAD');
    known.push(bothSha);
    git('commit', '-q', '--allow-empty', '-m', 'b');
    gitSha = git('rev-parse', 'HEAD');
  });
  afterAll(() => api.stop());

  const ctx = (over: Partial<RunnerContext>): RunnerContext => ({
    eventName: 'schedule',
    ref: 'refs/heads/main',
    sha: SHA,
    payload: {},
    repository: 'acme/hello-service',
    actor: 'octocat',
    workspace: repoDir,
    runnerTemp: os.tmpdir(),
    apiUrl,
    serverUrl: 'https://github.com',
    ...over,
  });

  test.each([
    ['payload first: the API is not asked', () => ({ c: ctx({ payload: { head_commit: { id: SHA, timestamp: HEAD } } }), sha: SHA, token: 't' }), HEAD, 'the event payload', 0],
    ['then the REST API, with the token', () => ({ c: ctx({}), sha: SHA, token: 't' }), API, 'the REST API', 1],
    ['the REST API before git', () => ({ c: ctx({}), sha: bothSha, token: 't' }), API, 'the REST API', 1],
    ['then git, when the API does not know the commit', () => ({ c: ctx({}), sha: gitSha, token: 't' }), GIT, 'git', 1],
    ['no token: git, the API is not asked', () => ({ c: ctx({}), sha: gitSha, token: '' }), GIT, 'git', 0],
    ['an API that is down: git', () => ({ c: ctx({ apiUrl: 'http://127.0.0.1:9' }), sha: gitSha, token: 't' }), GIT, 'git', 0],
    ['a sha that is no object id is looked up nowhere', () => ({ c: ctx({}), sha: '--output=/tmp/x', token: 't' }), undefined, undefined, 0],
    ['nobody knows: unknown (the tags then take now)', () => ({ c: ctx({ workspace: os.tmpdir() }), sha: OTHER, token: 't' }), undefined, undefined, 1],
  ] as Array<[string, () => { c: RunnerContext; sha: string; token: string }, string | undefined, string | undefined, number]>)('%s', async (_name, setup, date, source, apiCalls) => {
    const { c, sha, token } = setup();
    const before = api.requests.length;
    const got = await commitDate(c, sha, token, () => undefined);
    expect(got?.date.toISOString()).toBe(date && new Date(date).toISOString());
    expect(got?.source).toBe(source);
    const asked = api.requests.slice(before);
    expect(asked).toHaveLength(apiCalls);
    for (const r of asked) expect(r.authorization).toBe(`Bearer ${token}`);
  });
});
