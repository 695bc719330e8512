import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ContextFile } from '../builders/native/copy.js';
import { ignoreFileFor, judge, mayReinclude, NO_RULES, parseIgnore, type IgnoreRules, type IgnoreVerdict } from './ignore.js';
import { globMatcher, hasWildcards } from './pattern.js';

/** The build context as BuildKit receives it: the folder, and the ignore rules it applies to it. */
export interface BuildContext {
  dir: string;
  ignore: IgnoreRules;
}

const isFile = (file: string): boolean => existsSync(file) && statSync(file).isFile();

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The context of a build of `dockerfile` (its path): BuildKit's ignore file for it, parsed. Throws, naming the file
 * and line, on a pattern BuildKit refuses; and on an ignore file that is a link out of the repository's folders
 * (its lines would be quoted in errors).
 */
export function openContext(dir: string, dockerfile: string): BuildContext {
  const file = ignoreFileFor(dir, dockerfile, isFile);
  if (!file) return { dir, ignore: NO_RULES };
  const shown = inside(dir, file) ? path.relative(dir, file) : file;
  const real = realpathSync(file);
  if (![dir, path.dirname(dockerfile)].some((d) => inside(realpathSync(d), real))) {
    throw new Error(`${shown} is a link to ${real}, outside the context and the Dockerfile's folder; make it a plain file`);
  }
  return { dir, ignore: parseIgnore(readFileSync(file, 'utf8'), shown) };
}

/**
 * The context files the COPY sources can reach, as BuildKit sends them: what the ignore rules leave out is not
 * there, except that an excluded folder holding a re-included (`!`) path is sent with that path. Wildcard
 * segments are matched one folder level at a time, and an excluded folder nothing can re-include is not walked,
 * so a big target/ or .git is not read. Sorted by path.
 */
export function listContext(ctx: BuildContext, sources: readonly string[]): ContextFile[] {
  const out = new Map<string, ContextFile>();
  const verdicts = new Map<string, IgnoreVerdict>();
  const verdict = (rel: string): IgnoreVerdict => {
    let v = verdicts.get(rel);
    if (!v) verdicts.set(rel, (v = judge(ctx.ignore, rel, rel.includes('/') ? verdict(path.posix.dirname(rel)) : undefined)));
    return v;
  };
  const stat = (rel: string): ContextFile | undefined => {
    const abs = path.join(ctx.dir, rel);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      return undefined;
    }
    const mode = st.mode & 0o7777;
    if (st.isSymbolicLink()) return { path: rel, type: 'symlink', mode: 0o777, size: 0, linkname: readlinkSync(abs) };
    if (st.isFile()) return { path: rel, type: 'file', mode, size: st.size };
    if (st.isDirectory()) return { path: rel, type: 'dir', mode, size: 0 };
    return undefined;
  };
  const names = (rel: string): string[] => {
    try {
      return readdirSync(path.join(ctx.dir, rel)).sort();
    } catch {
      return [];
    }
  };
  const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);
  // a folder's entries, walked as fsutil does; true when anything at or below `rel` is sent
  const walked = new Map<string, boolean>();
  const walk = (rel: string, f: ContextFile): boolean => {
    let sent = walked.get(rel);
    if (sent !== undefined) return sent;
    const excluded = verdict(rel).excluded;
    sent = !excluded;
    if (f.type === 'dir' && (!excluded || mayReinclude(ctx.ignore, rel))) {
      for (const n of names(rel)) {
        const child = stat(join(rel, n));
        if (child && walk(child.path, child)) sent = true;
      }
    }
    if (sent) out.set(rel, f);
    walked.set(rel, sent);
    return sent;
  };
  // the folders a source's segments lead through, then the walk of what its last segment names
  const reach = (dir: string, segs: readonly string[]): boolean => {
    const [seg, ...rest] = segs;
    const candidates = hasWildcards(seg) ? names(dir).filter(globMatcher(seg)) : [seg];
    let sent = false;
    for (const n of candidates) {
      const f = stat(join(dir, n));
      if (!f) continue;
      if (!rest.length) {
        if (walk(f.path, f)) sent = true;
        continue;
      }
      if (f.type !== 'dir' || (verdict(f.path).excluded && !mayReinclude(ctx.ignore, f.path))) continue;
      if (reach(f.path, rest) || !verdict(f.path).excluded) {
        out.set(f.path, f);
        sent = true;
      }
    }
    return sent;
  };
  for (const source of new Set(sources)) {
    const segs = path.posix.normalize('/' + source).slice(1).split('/').filter(Boolean);
    if (segs.length) reach('', segs);
    else
      for (const n of names('')) {
        const f = stat(n);
        if (f) walk(n, f);
      }
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A context file's bytes; refuses a path that leaves the context. */
export function readContextFile(context: string, rel: string): Buffer {
  const abs = path.resolve(context, rel);
  if (path.relative(context, abs).startsWith('..')) throw new Error(`${rel} lies outside the build context`);
  return readFileSync(abs);
}
