/** The bench's own repositories in the registry: deleted, by digest, when the bench is done with them. */
import type { Services } from '../__tests__/support/services.ts';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function call(s: Services, method: string, p: string): Promise<Response> {
  const auth = `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;
  return fetch(`http://${s.registry}${p}`, { method, headers: { authorization: auth, accept: ACCEPT }, signal: AbortSignal.timeout(30_000) });
}

/** Deletes every manifest a tag of `repo` names; returns how many. A repository never pushed is no error. */
export async function deleteRepo(s: Services, repo: string): Promise<number> {
  const list = await call(s, 'GET', `/v2/${repo}/tags/list`);
  if (list.status === 404) return 0;
  if (!list.ok) throw new Error(`GET tags/list: HTTP ${list.status}`);
  const tags = ((await list.json()) as { tags?: string[] | null }).tags ?? [];
  const digests = new Set<string>();
  for (const tag of tags) {
    const head = await call(s, 'HEAD', `/v2/${repo}/manifests/${tag}`);
    const digest = head.headers.get('docker-content-digest');
    if (head.ok && digest) digests.add(digest);
  }
  for (const d of digests) {
    const del = await call(s, 'DELETE', `/v2/${repo}/manifests/${d}`);
    if (!del.ok && del.status !== 404) throw new Error(`DELETE manifests/${d}: HTTP ${del.status}`);
  }
  return digests.size;
}
