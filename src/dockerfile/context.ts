import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { ContextFile } from '../builders/native/copy.js';
import { readRegular, RefusedFileError } from '../untrusted/file.js';
import { LIMITS } from '../untrusted/limits.js';
import { realPath } from '../untrusted/paths.js';
import { ignoreFileFor, judge, mayReinclude, NO_RULES, parseIgnore, type IgnoreRules, type IgnoreVerdict } from './ignore.js';
import { globMatcher, hasWildcards } from './pattern.js';

/** The build context as BuildKit receives it: the folder, and the ignore rules it applies to it. */
export interface BuildContext {
  dir: string;
  ignore: IgnoreRules;
}

/** Something is there (a FIFO or a dangling link too: refused below, never taken for "no ignore file"). */
const present = (file: string): boolean => {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
};

/**
 * The ignore file's text: a regular file of at most LIMITS.ignoreFileBytes. A FIFO, a device or a file of
 * gigabytes is refused, naming it: the ignore file decides what the image may hold, so it is never skipped.
 */
function readIgnoreText(file: string, shown: string): string {
  try {
    return readRegular(file, { cap: LIMITS.ignoreFileBytes, name: shown }).toString('utf8');
  } catch (e) {
    if (!(e instanceof RefusedFileError)) throw e;
    throw new Error(`${e.message}; the ignore file decides what the image may hold, so make ${shown} a regular file`);
  }
}

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
  const file = ignoreFileFor(dir, dockerfile, present);
  if (!file) return { dir, ignore: NO_RULES };
  const shown = inside(dir, file) ? path.relative(dir, file) : file;
  const real = realPath(file);
  if (real === undefined) throw new Error(`${shown} is a link that leads nowhere; make it a plain file`);
  if (![dir, path.dirname(dockerfile)].some((d) => inside(realpathSync(d), real))) {
    throw new Error(`${shown} is a link to ${real}, outside the context and the Dockerfile's folder; make it a plain file`);
  }
  return { dir, ignore: parseIgnore(readIgnoreText(file, shown), shown) };
}

/** One file or folder of the context as lstat sees it; undefined when absent or neither file, folder nor link. */
function statEntry(dir: string, rel: string): ContextFile | undefined {
  const abs = path.join(dir, rel);
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
}

function entryNames(dir: string, rel: string): string[] {
  try {
    return readdirSync(path.join(dir, rel)).sort();
  } catch {
    return [];
  }
}

const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);

/** One listing: the verdicts of the folders on the way down, what was walked, and what is sent (`add`, the one place). */
class Listing {
  readonly sent = new Map<string, ContextFile>();
  private readonly verdicts = new Map<string, IgnoreVerdict>();
  private readonly walked = new Map<string, boolean>();

  constructor(private readonly ctx: BuildContext) {}

  excluded(rel: string): boolean {
    return this.verdict(rel).excluded;
  }

  private verdict(rel: string): IgnoreVerdict {
    let v = this.verdicts.get(rel);
    if (!v) this.verdicts.set(rel, (v = judge(this.ctx.ignore, rel, rel.includes('/') ? this.verdict(path.posix.dirname(rel)) : undefined)));
    return v;
  }

  /** Whether an excluded folder may hold something sent after all, so that it must be walked. */
  private enterable(f: ContextFile): boolean {
    return f.type === 'dir' && (!this.excluded(f.path) || mayReinclude(this.ctx.ignore, f.path));
  }

  add(f: ContextFile): void {
    this.sent.set(f.path, f);
  }

  stat(rel: string): ContextFile | undefined {
    return statEntry(this.ctx.dir, rel);
  }

  names(rel: string): string[] {
    return entryNames(this.ctx.dir, rel);
  }

  /** `f` and what it holds, as fsutil walks it; true when anything at or below it is sent. */
  walk(f: ContextFile): boolean {
    let sent = this.walked.get(f.path);
    if (sent !== undefined) return sent;
    sent = !this.excluded(f.path);
    if (this.enterable(f)) {
      for (const n of this.names(f.path)) {
        const child = this.stat(join(f.path, n));
        if (child && this.walk(child)) sent = true;
      }
    }
    if (sent) this.add(f);
    this.walked.set(f.path, sent);
    return sent;
  }

  /** The folders a source's segments lead through (sent if anything below is), then the walk of what the last names. */
  reach(dir: string, segs: readonly string[]): boolean {
    const [seg, ...rest] = segs;
    const candidates = hasWildcards(seg) ? this.names(dir).filter(globMatcher(seg)) : [seg];
    let sent = false;
    for (const n of candidates) {
      const f = this.stat(join(dir, n));
      const through = rest.length > 0;
      if (!f || (through && !this.enterable(f))) continue;
      const below = through ? this.reach(f.path, rest) || !this.excluded(f.path) : this.walk(f);
      if (!below) continue;
      if (through) this.add(f);
      sent = true;
    }
    return sent;
  }
}

/**
 * The context files the COPY sources can reach, as BuildKit sends them: what the ignore rules leave out is not
 * there, except that an excluded folder holding a re-included (`!`) path is sent with that path. Wildcard
 * segments are matched one folder level at a time, and an excluded folder nothing can re-include is not walked,
 * so a big target/ or .git is not read. Sorted by path.
 */
export function listContext(ctx: BuildContext, sources: readonly string[]): ContextFile[] {
  const listing = new Listing(ctx);
  for (const source of new Set(sources)) {
    const segs = path.posix.normalize('/' + source).slice(1).split('/').filter(Boolean);
    if (segs.length) listing.reach('', segs);
    else
      for (const n of listing.names('')) {
        const f = listing.stat(n);
        if (f) listing.walk(f);
      }
  }
  return [...listing.sent.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A context file's bytes: a regular file inside the context (links resolved), at most LIMITS.contextFileBytes. */
export function readContextFile(context: string, rel: string): Buffer {
  const abs = path.resolve(context, rel);
  if (path.relative(context, abs).startsWith('..')) throw new Error(`${rel} lies outside the build context`);
  return readRegular(abs, { cap: LIMITS.contextFileBytes, root: context, name: rel });
}
