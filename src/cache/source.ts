import { createHash } from 'node:crypto';

/**
 * What is built, as content: git's index (the blob ids of the tracked files) with the working tree's changes on
 * top (modified and untracked, not ignored, files hashed the way git would). The jar cache is keyed by this, so a
 * checkout of another ref, a version bump or an uncommitted edit is built fresh. Pure.
 */

/** One entry of `git ls-files -s`: mode, blob id, stage, path. */
export interface IndexEntry {
  path: string;
  mode: string;
  id: string;
}

/** A file of `git ls-files -m -o` as it is on disk; `id` undefined: it is gone from the working tree. */
export interface WorktreeFile {
  path: string;
  mode?: string;
  id?: string;
}

/** Splits git's `-z` output. */
export function splitNul(out: string): string[] {
  return out.split('\0').filter((s) => s !== '');
}

/** Parses `git ls-files -s -z`; throws on a line it does not understand. */
export function parseIndex(out: string): IndexEntry[] {
  return splitNul(out).map((rec) => {
    const m = /^(\d{6}) ([0-9a-f]{40,64}) (\d)\t(.+)$/s.exec(rec);
    if (!m) throw new Error(`unexpected line from git ls-files -s: ${JSON.stringify(rec.slice(0, 120))}`);
    return { mode: m[1], id: m[2], path: m[4] };
  });
}

/** The object id git gives these bytes as a blob (SHA-1 repositories), so an unchanged file keeps its index id. */
export function gitBlobId(content: Buffer | string): string {
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/**
 * The working tree's content as one digest: each path's mode and id, the index's unless the working tree changed
 * it, in path order. Unmerged paths keep all their stages. Pure.
 */
export function treeDigest(index: readonly IndexEntry[], changed: readonly WorktreeFile[]): string {
  const byPath = new Map<string, string[]>();
  for (const e of index) byPath.set(e.path, [...(byPath.get(e.path) ?? []), `${e.mode} ${e.id}`]);
  for (const f of changed) byPath.set(f.path, [f.id === undefined ? 'deleted' : `${f.mode ?? '100644'} ${f.id}`]);
  const h = createHash('sha256');
  for (const p of [...byPath.keys()].sort()) h.update(`${(byPath.get(p) ?? []).sort().join(',')}\t${p}\0`);
  return h.digest('hex');
}
