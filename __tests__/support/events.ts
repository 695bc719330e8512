import type { GitEvent } from './runner.ts';

const REPOSITORY = { name: 'hello-service', full_name: 'acme/hello-service', html_url: 'https://github.com/acme/hello-service', default_branch: 'main', description: 'Hello service' };

/** A push of tag `tag` at commit `sha`. */
export function tagEvent(sha: string, tag: string): GitEvent {
  return { name: 'push', ref: `refs/tags/${tag}`, sha, payload: { ref: `refs/tags/${tag}`, repository: REPOSITORY } };
}

/** A push to branch `branch` at commit `sha`. */
export function branchEvent(sha: string, branch: string): GitEvent {
  return { name: 'push', ref: `refs/heads/${branch}`, sha, payload: { ref: `refs/heads/${branch}`, repository: REPOSITORY } };
}

/** A pull_request_target run for PR #9 from a fork: GITHUB_SHA is the base commit, the PR head is `headSha`. */
export function prTargetEvent(headSha: string, base: string): GitEvent {
  return {
    name: 'pull_request_target',
    ref: 'refs/heads/main',
    sha: base,
    payload: {
      number: 9,
      pull_request: { number: 9, head: { sha: headSha, repo: { full_name: 'stranger/hello-service' } }, base: { sha: base, repo: { full_name: 'acme/hello-service' } } },
      repository: { name: 'hello-service', full_name: 'acme/hello-service' },
    },
  };
}
