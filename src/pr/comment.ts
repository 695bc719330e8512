import { errorMessage } from '../errors.js';
import { fetchWithRetry } from '../retry/fetch.js';
import type { RetryPolicy } from '../retry/retry.js';

const API_TIMEOUT_MS = 15 * 1000;

/** The hidden line by which the action finds its own comment again; one per set of images. Pure. */
export function marker(imagesKey: string): string {
  return `<!-- image-publish:preview:${imagesKey} -->`;
}

export interface Preview {
  number: number;
  /** image@digest of the first image. */
  reference?: string;
  tags: string[];
  commit: string;
  stale: boolean;
  /** Its PR is closed and the preview was removed: from these images (none left to pull). */
  removed?: string[];
}

/** The comment text: how to pull and run the preview, or that it is stale. Pure. */
export function previewBody(p: Preview, imagesKey: string): string {
  const lines = [marker(imagesKey), `### Preview image for #${p.number}`, ''];
  if (p.removed) {
    lines.push(`This pull request is closed: its preview image was removed from ${p.removed.map((i) => `\`${i}\``).join(', ')}.`, '');
  } else if (p.stale) {
    lines.push('This pull request is closed: the preview image below is stale and is no longer updated.', '');
  }
  if (p.reference) {
    lines.push(`\`${p.reference}\``, '', '```sh', `docker pull ${p.reference}`, `docker run --rm -p 8080:8080 ${p.reference}`, '```', '');
  }
  if (p.tags.length) lines.push(`Tags: ${p.tags.map((t) => `\`${t}\``).join(', ')}`, '');
  lines.push(`Commit: ${p.commit}`);
  return lines.join('\n');
}

export interface PullRequestApi {
  apiUrl: string;
  token: string;
  repository: string;
  number: number;
  /** The run's retry policy: transient faults only, never 401/403/404. */
  policy: RetryPolicy;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call(api: PullRequestApi, method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetchWithRetry(
    `${api.apiUrl.replace(/\/$/, '')}${route}`,
    {
      method,
      headers: { authorization: `Bearer ${api.token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json', 'user-agent': 'image-publish' },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    API_TIMEOUT_MS,
    { ...api.policy, scope: 'GitHub API' },
  );
  if (res.ok) return res.status === 204 ? undefined : res.json();
  throw new ApiError(res.status, `${method} ${route} answered HTTP ${res.status}`);
}

/** Creates the preview comment, or updates the one found by its marker; never posts a second one. */
export async function upsertComment(
  api: PullRequestApi,
  body: string,
  imagesKey: string,
  createIfMissing: boolean,
  log: { info(m: string): void; warning(m: string): void },
): Promise<'created' | 'updated' | 'none'> {
  const base = `/repos/${api.repository}/issues`;
  try {
    let existing: { id: number } | undefined;
    for (let page = 1; page <= 10 && !existing; page++) {
      const list = (await call(api, 'GET', `${base}/${api.number}/comments?per_page=100&page=${page}`)) as { id: number; body?: string }[];
      existing = list.find((c) => c.body?.includes(marker(imagesKey)));
      if (list.length < 100) break;
    }
    if (existing) {
      await call(api, 'PATCH', `${base}/comments/${existing.id}`, { body });
      log.info(`Updated the preview comment on #${api.number}.`);
      return 'updated';
    }
    if (!createIfMissing) return 'none';
    await call(api, 'POST', `${base}/${api.number}/comments`, { body });
    log.info(`Posted the preview comment on #${api.number}.`);
    return 'created';
  } catch (e) {
    const hint = e instanceof ApiError && [401, 403, 404].includes(e.status) ? ' The token needs `pull-requests: write` permission.' : '';
    log.warning(`The preview comment was not posted: ${errorMessage(e)}.${hint}`);
    return 'none';
  }
}
