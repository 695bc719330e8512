import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { ContextFile } from '../builders/native/copy.js';
import { globRegExp, isIgnored, parseIgnore } from './ignore.js';

/**
 * The context files the COPY sources can reach, minus what .dockerignore leaves out (files the Dockerfile
 * cannot see): glob segments are matched one folder level at a time, and only what matches is walked in full,
 * so a big target/ or .git is not read.
 */
export function listContext(context: string, sources: readonly string[]): ContextFile[] {
  const ignoreFile = path.join(context, '.dockerignore');
  const patterns = existsSync(ignoreFile) ? parseIgnore(readFileSync(ignoreFile, 'utf8')) : [];
  const out = new Map<string, ContextFile>();
  const stat = (rel: string): ContextFile | undefined => {
    if (rel !== '' && isIgnored(patterns, rel)) return undefined;
    const abs = path.join(context, rel);
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
      return readdirSync(path.join(context, rel)).sort();
    } catch {
      return [];
    }
  };
  const walk = (rel: string): void => {
    const f = stat(rel);
    if (!f || out.has(rel)) return;
    if (rel !== '') out.set(rel, f);
    if (f.type === 'dir') for (const n of names(rel)) walk(rel ? `${rel}/${n}` : n);
  };
  for (const source of new Set(sources)) {
    const segs = path.posix.normalize('/' + source).slice(1).split('/').filter(Boolean);
    let level = [''];
    segs.forEach((seg, i) => {
      const last = i === segs.length - 1;
      const re = /[*?[]/.test(seg) ? globRegExp(seg) : undefined;
      const next: string[] = [];
      for (const dir of level) {
        const candidates = re ? names(dir).filter((n) => re.test(n)) : [seg];
        for (const n of candidates) {
          const rel = dir ? `${dir}/${n}` : n;
          const f = stat(rel);
          if (!f) continue;
          if (last) walk(rel);
          else if (f.type === 'dir') {
            out.set(rel, f);
            next.push(rel);
          }
        }
      }
      level = next;
    });
    if (segs.length === 0) walk('');
  }
  return [...out.values()];
}

/** A context file's bytes; refuses a path that leaves the context. */
export function readContextFile(context: string, rel: string): Buffer {
  const abs = path.resolve(context, rel);
  if (path.relative(context, abs).startsWith('..')) throw new Error(`${rel} lies outside the build context`);
  return readFileSync(abs);
}
