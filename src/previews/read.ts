/** What one repository holds, read for a removal plan: every tag resolved, and the manifests a preview reaches. */
import { isIndex, MANIFEST_TYPES } from '../oci/media.js';
import type { RegistryClient } from '../registry/client.js';
import { referrersServed } from '../supply/referrers.js';
import { attachedSubject, type ManifestNode, type RepoSnapshot } from './plan.js';

const PARALLEL = 8;

async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

function childrenOf(bytes: Buffer): string[] {
  const doc = JSON.parse(bytes.toString('utf8')) as { manifests?: { digest?: unknown }[] };
  return (doc.manifests ?? []).map((m) => m.digest).filter((d): d is string => typeof d === 'string');
}

/** A manifest's children, read once (only an index has any). */
async function readNode(client: RegistryClient, repo: string, digest: string, mediaType: string | undefined): Promise<ManifestNode> {
  if (mediaType && !isIndex(mediaType) && MANIFEST_TYPES.includes(mediaType)) return { mediaType, children: [] };
  const m = await client.getManifest(repo, digest);
  return { mediaType: m.mediaType, children: isIndex(m.mediaType) ? childrenOf(m.bytes) : [] };
}

/**
 * Reads `repo`: its tags and their digests; every index any tag names (for its children); from the preview's own
 * tags down, every manifest and, where the registry serves the referrers API, the referrers of each.
 */
export async function readRepository(client: RegistryClient, repo: string, previewTags: readonly string[]): Promise<RepoSnapshot> {
  const tags = new Map<string, string>();
  const types = new Map<string, string>();
  const names = await client.listTags(repo);
  await eachLimited(names, async (tag) => {
    const head = await client.headManifest(repo, tag);
    if (!head) return;
    tags.set(tag, head.digest);
    types.set(head.digest, head.mediaType);
  });
  const nodes = new Map<string, ManifestNode>();
  const referrers = new Map<string, string[]>();
  const load = async (digest: string): Promise<void> => {
    if (!nodes.has(digest)) nodes.set(digest, await readNode(client, repo, digest, types.get(digest)));
  };
  // every tagged index, for the children another tag keeps
  await eachLimited([...new Set(tags.values())], load);
  // from the preview down: children, then referrers, level by level
  let level = [...new Set(previewTags.filter((t) => tags.has(t) && !attachedSubject(t)).map((t) => tags.get(t)!))];
  const seen = new Set<string>();
  let served: boolean | undefined;
  while (level.length) {
    const fresh = level.filter((d) => !seen.has(d));
    fresh.forEach((d) => seen.add(d));
    await eachLimited(fresh, load);
    const found: string[] = [];
    for (const d of fresh) {
      const answer = served === false ? undefined : await client.referrers(repo, d);
      if (answer) served = referrersServed(answer.status, answer.mediaType, answer.body);
      const listed = served && answer ? childrenOf(answer.body) : [];
      if (listed.length) referrers.set(d, listed);
      found.push(...nodes.get(d)!.children, ...listed);
    }
    for (const [tag, digest] of tags) if (fresh.includes(attachedSubject(tag) ?? '')) found.push(digest);
    level = found;
  }
  return { tags, nodes, referrers };
}
