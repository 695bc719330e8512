/** Runs shaped like docker/metadata-action's __tests__/fixtures (event_*.env + payloads), frozen clock. */
import type { MetaContext, MetaInputs, RepoInfo } from '../../../src/tags/index.js';

export const NOW = new Date('2020-01-10T00:30:00.000Z');
export const SHA_DEV = '860c1904a1ce19322e91ac35af1ab07466440c37';
export const SHA_MASTER = '266574110acf203503badf966df2ea24b5d732d7';
export const SHA_INVALID = '983315b5e8d46e46fc4c49869e85e7ee5fb289ba';
export const SHA_PR = 'a9c8c5828b91be19d9728548b24759e352367ef1';
export const SHA_PR_HEAD = '5f3ab6c0f2d1e0b9a8c7d6e5f4a3b2c1d0e9f8a7';

export const REPO: RepoInfo = {
  name: 'Hello-World',
  fullName: 'octocat/Hello-World',
  description: 'This your first repo!',
  htmlUrl: 'https://github.com/octocat/Hello-World',
  license: 'MIT',
  defaultBranch: 'master',
};

const repository = { default_branch: 'master' };

function tag(name: string): MetaContext {
  return { eventName: 'push', ref: `refs/tags/${name}`, sha: SHA_DEV, payload: { base_ref: 'refs/heads/master', repository }, commitDate: NOW };
}

export const FIXTURES: Record<string, MetaContext> = {
  null: { eventName: '', ref: '', sha: '', payload: {}, commitDate: NOW },
  push_dev: { eventName: 'push', ref: 'refs/heads/dev', sha: SHA_DEV, payload: { repository }, commitDate: NOW },
  push_master: { eventName: 'push', ref: 'refs/heads/master', sha: SHA_MASTER, payload: { repository }, commitDate: NOW },
  push_invalidchars: { eventName: 'push', ref: 'refs/heads/my/feature#1245', sha: SHA_INVALID, payload: { repository }, commitDate: NOW },
  workflow_dispatch: { eventName: 'workflow_dispatch', ref: 'refs/heads/master', sha: SHA_DEV, payload: { repository }, commitDate: NOW },
  schedule: { eventName: 'schedule', ref: 'refs/heads/master', sha: SHA_DEV, payload: { schedule: '0 10 * * *' }, commitDate: NOW },
  pull_request: {
    eventName: 'pull_request',
    ref: 'refs/pull/15/merge',
    sha: SHA_PR,
    payload: { number: 15, pull_request: { number: 15, head: { sha: SHA_PR_HEAD, ref: 'test-pr' }, base: { ref: 'master' } }, repository },
    commitDate: NOW,
  },
  pull_request_target: {
    eventName: 'pull_request_target',
    ref: 'refs/heads/master',
    sha: SHA_MASTER,
    payload: { number: 15, pull_request: { number: 15, head: { sha: SHA_PR_HEAD }, base: { ref: 'master' } }, repository },
    commitDate: NOW,
  },
  release: {
    eventName: 'release',
    ref: 'refs/tags/v1.1.1',
    sha: SHA_DEV,
    payload: { action: 'published', release: { tag_name: 'v1.1.1' }, repository },
    commitDate: NOW,
  },
  tag_release1: tag('release1'),
  'tag_20200110-RC2': tag('20200110-RC2'),
  'tag_v1.1.1': tag('v1.1.1'),
  'tag_v2.0.8-beta.67': tag('v2.0.8-beta.67'),
  'tag_v9.5.7-alpha.2+fork.3.1.8': tag('v9.5.7-alpha.2+fork.3.1.8'),
  tag_sometag: tag('sometag'),
  'tag_p1-v1.0.0': tag('p1/v1.0.0'),
  'tag_1.2': tag('1.2'),
  'tag_1.1beta2': tag('1.1beta2'),
  'tag_1.0dev4': tag('1.0dev4'),
  'tag_1.2.3rc2': tag('1.2.3rc2'),
  'tag_v1.2.3rc2': tag('v1.2.3rc2'),
  'tag_1.2post1': tag('1.2post1'),
};

export function inputs(partial: Partial<MetaInputs>): MetaInputs {
  return { images: [], tags: [], flavor: [], labels: [], annotations: [], ...partial };
}

/** metadata-action's default OCI labels for the fixture repo, sorted. */
export function ociLabels(revision: string, version: string, created = '2020-01-10T00:30:00.000Z'): string[] {
  return [
    `org.opencontainers.image.created=${created}`,
    'org.opencontainers.image.description=This your first repo!',
    'org.opencontainers.image.licenses=MIT',
    `org.opencontainers.image.revision=${revision}`,
    'org.opencontainers.image.source=https://github.com/octocat/Hello-World',
    'org.opencontainers.image.title=Hello-World',
    'org.opencontainers.image.url=https://github.com/octocat/Hello-World',
    `org.opencontainers.image.version=${version}`,
  ];
}
