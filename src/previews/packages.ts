/**
 * The GitHub Packages API for a container package (ghcr.io): a version is one manifest, named by its digest, with
 * the tags that name it; deleting the version deletes the manifest and its tags. Needs `packages: write`.
 */
import type { RetryPolicy } from '../retry/retry.js';
import { ApiError, callApi } from './api.js';

export interface PackagesApiOptions {
  apiUrl: string;
  token: string;
  policy: RetryPolicy;
}

interface Version {
  id: number;
  name: string;
}

const MAX_PAGES = 50;

/** `owner/app/sub` → the owner and the package name as the API's path spells it (`app%2Fsub`). Pure. */
export function packageOf(repository: string): { owner: string; name: string } {
  const [owner, ...rest] = repository.split('/');
  return { owner, name: encodeURIComponent(rest.join('/')) };
}

/** The versions of one container package, read once (and again when a digest is not among them). */
export class PackageVersions {
  private base?: string;
  private versions?: Version[];

  constructor(
    private readonly api: PackagesApiOptions,
    private readonly repository: string,
  ) {}

  private call(method: 'GET' | 'DELETE', route: string, expect: number[] = []): Promise<{ status: number; body: unknown }> {
    const headers = { authorization: `Bearer ${this.api.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    return callApi({ base: this.api.apiUrl, method, route, headers, expect, policy: this.api.policy, scope: 'GitHub Packages API' });
  }

  /** The package's versions, from the organisation's packages or else the user's. */
  private async load(): Promise<Version[]> {
    const { owner, name } = packageOf(this.repository);
    for (const base of this.base ? [this.base] : [`/orgs/${owner}/packages/container/${name}`, `/users/${owner}/packages/container/${name}`]) {
      const all: Version[] = [];
      let found = true;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const res = await this.call('GET', `${base}/versions?per_page=100&page=${page}`, [404]);
        if (res.status === 404) {
          found = false;
          break;
        }
        const list = Array.isArray(res.body) ? (res.body as Version[]) : [];
        all.push(...list.filter((v) => typeof v.id === 'number' && typeof v.name === 'string'));
        if (list.length < 100) break;
      }
      if (found) {
        this.base = base;
        return all;
      }
    }
    throw new ApiError(404, `the container package ${this.repository} was not found under /orgs/${owner} or /users/${owner}`);
  }

  /** Deletes the version whose name is `digest`; false when there is none. */
  async deleteDigest(digest: string): Promise<boolean> {
    let version = (this.versions ??= await this.load()).find((v) => v.name === digest);
    if (!version) version = (this.versions = await this.load()).find((v) => v.name === digest);
    if (!version) return false;
    const res = await this.call('DELETE', `${this.base}/versions/${version.id}`, [404]);
    this.versions = this.versions.filter((v) => v !== version);
    return res.status !== 404;
  }
}
