/**
 * Docker Hub's own API (hub.docker.com), since its registry deletes nothing: a JWT from `POST /v2/auth/token`
 * (identifier and secret: the user and a personal access token), then
 * `DELETE /v2/namespaces/<ns>/repositories/<repo>/tags/<tag>`. Hub removes tags; a manifest no tag names stays
 * in Hub's storage, unreachable by tag, until Hub collects it.
 */
import type { Credentials } from '../registry/auth.js';
import type { RetryPolicy } from '../retry/retry.js';
import { ApiError, callApi } from './api.js';

export const HUB_API = 'https://hub.docker.com';

export interface HubOptions {
  /** https://hub.docker.com; a test names its own server. */
  base: string;
  credentials?: Credentials;
  policy: RetryPolicy;
}

export class DockerHubTags {
  private token?: string;

  constructor(private readonly opts: HubOptions) {}

  private async bearer(): Promise<string> {
    if (this.token) return this.token;
    const c = this.opts.credentials;
    if (!c) throw new ApiError(401, 'Docker Hub deletes tags only for a login: give `username` and `password` (a personal access token) for docker.io');
    const res = await callApi({ base: this.opts.base, method: 'POST', route: '/v2/auth/token', headers: {}, body: { identifier: c.username, secret: c.password }, policy: this.opts.policy, scope: 'Docker Hub API' });
    const token = (res.body as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token !== 'string' || !token) throw new ApiError(res.status, 'POST /v2/auth/token answered without an access_token');
    return (this.token = token);
  }

  /** Deletes `repository:tag` (`acme/app`, `library/app`); false when Hub has no such tag. */
  async deleteTag(repository: string, tag: string): Promise<boolean> {
    const [namespace, ...rest] = repository.split('/');
    const route = `/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(rest.join('/'))}/tags/${encodeURIComponent(tag)}`;
    const headers = { authorization: `Bearer ${await this.bearer()}` };
    const res = await callApi({ base: this.opts.base, method: 'DELETE', route, headers, expect: [404], policy: this.opts.policy, scope: 'Docker Hub API' });
    return res.status !== 404;
  }
}
