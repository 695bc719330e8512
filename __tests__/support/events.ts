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
