/**
 * What removing a preview deletes from one repository, worked out from what the registry holds: the manifests the
 * preview's tags name, their children (platform manifests, attestation manifests), what hangs off them (cosign's
 * `sha256-<hex>.sig`/`.att` tags, the referrers tag schema's `sha256-<hex>` index, referrers the API lists), minus
 * everything another tag still reaches the same way. Pure.
 */

export interface ManifestNode {
  mediaType: string;
  /** Manifests an index names (empty for an image manifest, or an index not read). */
  children: readonly string[];
}

export interface RepoSnapshot {
  /** tag → digest, every tag of the repository. */
  tags: ReadonlyMap<string, string>;
  /** The manifests read, by digest. */
  nodes: ReadonlyMap<string, ManifestNode>;
  /** subject digest → referrer digests, as the referrers API lists them (absent where it is not served). */
  referrers: ReadonlyMap<string, readonly string[]>;
}

export interface RemovalPlan {
  /** The preview's tags the repository has, and the attached tags of what is deleted. */
  tags: string[];
  /** Of those, the tags whose manifest stays (another tag reaches it): only the tag goes. */
  untag: string[];
  /** Manifests to delete, parents before children, subjects before what hangs off them. */
  manifests: string[];
  /** Manifests a preview tag named that stay, since another tag reaches them. */
  kept: string[];
}

const ATTACHED = /^(sha256)-([0-9a-f]{64})(?:\.[A-Za-z0-9_-]+)?$/;

/** The subject of a tag that hangs off a manifest (`sha256-<hex>.sig`, `.att`, `.sbom`, the referrers index `sha256-<hex>`). Pure. */
export function attachedSubject(tag: string): string | undefined {
  const m = ATTACHED.exec(tag);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** Every manifest reachable from `roots`, in the order met (breadth first): children, referrers, attached tags. */
export function reachable(s: RepoSnapshot, roots: Iterable<string>): string[] {
  const attached = new Map<string, string[]>();
  for (const [tag, digest] of s.tags) {
    const subject = attachedSubject(tag);
    if (subject) attached.set(subject, [...(attached.get(subject) ?? []), digest]);
  }
  const seen = new Set<string>();
  const order: string[] = [];
  const queue = [...roots];
  while (queue.length) {
    const d = queue.shift()!;
    if (seen.has(d)) continue;
    seen.add(d);
    order.push(d);
    queue.push(...(s.nodes.get(d)?.children ?? []), ...(s.referrers.get(d) ?? []), ...(attached.get(d) ?? []));
  }
  return order;
}

/** The removal of `previewTags` from one repository (tags it does not have are skipped). */
export function removalPlan(s: RepoSnapshot, previewTags: readonly string[]): RemovalPlan {
  const targets = previewTags.filter((t) => s.tags.has(t) && !attachedSubject(t));
  const survivors = [...s.tags.keys()].filter((t) => !targets.includes(t) && !attachedSubject(t));
  const keep = new Set(reachable(s, survivors.map((t) => s.tags.get(t)!)));
  const roots = [...new Set(targets.map((t) => s.tags.get(t)!))];
  const manifests = reachable(s, roots).filter((d) => !keep.has(d));
  const gone = new Set(manifests);
  const attachedTags = [...s.tags.keys()].filter((t) => gone.has(attachedSubject(t) ?? ''));
  const tags = [...targets, ...attachedTags];
  return {
    tags,
    untag: tags.filter((t) => keep.has(s.tags.get(t)!)),
    manifests,
    kept: roots.filter((d) => keep.has(d)),
  };
}
