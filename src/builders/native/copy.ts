import path from 'node:path/posix';
import type { LayerEntry } from '../../oci/tar.js';
import { globMatcher, hasWildcards } from '../../dockerfile/pattern.js';
import type { LayerOp } from '../../dockerfile/reader.js';

/** A file of the build context (after .dockerignore), path relative to the context with '/' separators. */
export interface ContextFile {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  linkname?: string;
}

/** An entry of a planned layer; `source` names the context file whose bytes it holds. */
export type PlannedEntry = Omit<LayerEntry, 'data'> & { source?: string; data?: Uint8Array };

export type DirOwners = Map<string, { uid: number; gid: number; mode: number }>;

export class CopyError extends Error {}

function cleanSource(s: string): string {
  return path.normalize('/' + s).slice(1).replace(/\/$/, '');
}

/** The context files a COPY source names: a path, or a glob (Go's filepath.Match: `*` stays within one folder). Pure. */
export function matchSource(source: string, files: readonly ContextFile[]): ContextFile[] {
  const clean = cleanSource(source);
  if (clean === '') return [{ path: '', type: 'dir', mode: 0o755, size: 0 }];
  if (!hasWildcards(clean)) return files.filter((f) => f.path === clean);
  const matches = globMatcher(clean);
  return files.filter((f) => matches(f.path));
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(p); d !== '/' && d !== '.'; d = path.dirname(d)) out.unshift(d);
  return out;
}

/**
 * The entries one COPY/ADD adds, as BuildKit lays them out: a directory's contents (not the folder itself) go
 * into the destination; several sources or a trailing '/' make the destination a folder; parent folders that
 * the build has not made are 0755; owners are 0:0 unless --chown says otherwise. `dirs` holds the folders
 * earlier steps made (updated here). Pure.
 */
export function copyEntries(op: Extract<LayerOp, { kind: 'copy' }>, files: readonly ContextFile[], dirs: DirOwners, mtime: number): PlannedEntry[] {
  const owner = op.chown ?? { uid: 0, gid: 0 };
  const matched = op.sources.map((s) => {
    const m = matchSource(s, files);
    if (!m.length) throw new CopyError(`line ${op.line}: "${s}" matches no file in the build context (or .dockerignore leaves it out)`);
    return m;
  });
  const count = matched.flat().length;
  const destIsDir = op.dest.endsWith('/') || dirs.has(op.dest) || count > 1;
  const dest = op.dest.replace(/(.)\/$/, '$1');
  if (count > 1 && !op.dest.endsWith('/') && !dirs.has(dest)) {
    throw new CopyError(`line ${op.line}: with more than one source file the destination must be a folder ending in /, not ${op.dest}`);
  }
  const out = new Map<string, PlannedEntry>();
  const put = (target: string, f: ContextFile, source?: string): void => {
    const mode = op.chmod ?? (f.type === 'symlink' ? 0o777 : f.mode & 0o7777);
    out.set(target, { path: target.slice(1), type: f.type, mode, uid: owner.uid, gid: owner.gid, mtime, source: f.type === 'file' ? source : undefined, linkname: f.linkname });
  };
  for (const f of matched.flat()) {
    if (f.type === 'dir') {
      const root = f.path;
      if (dest !== '/') put(dest, { ...f, mode: f.path === '' ? 0o755 : f.mode });
      for (const g of files) {
        if (root !== '' && !g.path.startsWith(root + '/')) continue;
        if (g.path === root) continue;
        put(path.join(dest, root === '' ? g.path : g.path.slice(root.length + 1)), g, g.path);
      }
    } else {
      put(destIsDir ? path.join(dest, path.basename(f.path)) : dest, f, f.path);
    }
  }
  for (const target of [...out.keys()]) {
    for (const d of ancestors(target)) {
      if (out.has(d)) continue;
      const known = dirs.get(d);
      out.set(d, { path: d.slice(1), type: 'dir', mode: known?.mode ?? 0o755, uid: known?.uid ?? owner.uid, gid: known?.gid ?? owner.gid, mtime });
    }
  }
  for (const e of out.values()) if (e.type === 'dir') dirs.set('/' + e.path, { uid: e.uid, gid: e.gid, mode: e.mode });
  return [...out.values()];
}

/** The entries WORKDIR adds: the folder and any parents the build has not made, 0755. Pure. */
export function mkdirEntries(op: Extract<LayerOp, { kind: 'mkdir' }>, dirs: DirOwners, mtime: number): PlannedEntry[] {
  const out: PlannedEntry[] = [];
  for (const d of [...ancestors(op.path), op.path]) {
    const known = dirs.get(d);
    const e = { path: d.slice(1), type: 'dir' as const, mode: known?.mode ?? 0o755, uid: known?.uid ?? op.uid, gid: known?.gid ?? op.gid, mtime };
    dirs.set(d, { uid: e.uid, gid: e.gid, mode: e.mode });
    out.push(e);
  }
  return out;
}
