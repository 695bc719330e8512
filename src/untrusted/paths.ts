import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `p` really is, links resolved: the path itself when it exists, else its deepest existing folder's real path
 * with the rest joined on. Undefined when a link on the way points at nothing: where it would lead is not known.
 */
export function realPath(p: string): string | undefined {
  const tail: string[] = [];
  for (let head = path.resolve(p); ; head = path.dirname(head)) {
    try {
      return path.join(realpathSync(head), ...tail);
    } catch {
      // a dangling link is there but leads nowhere; a missing name is simply not made yet
      if (exists(head)) return undefined;
    }
    if (path.dirname(head) === head) return path.resolve(p);
    tail.unshift(path.basename(head));
  }
}

/** True when `p` lies in `dir` or is `dir`, after following links (a dangling link lies nowhere). */
export function isInside(dir: string, p: string): boolean {
  const [d, q] = [realPath(dir), realPath(p)];
  if (d === undefined || q === undefined) return false;
  const rel = path.relative(d, q);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * `rel`, a path that a build, a cache or a manifest wrote down, as an absolute path under `root`; throws, naming it,
 * when it is absolute, climbs out with `..`, or leaves `root` through a link on the way.
 */
export function pathInside(root: string, rel: string, what: string): string {
  if (path.isAbsolute(rel)) throw new Error(`${what} "${rel}" is an absolute path, not one inside ${root}`);
  const target = path.resolve(root, rel);
  if (!isInside(root, target)) throw new Error(`${what} "${rel}" leads outside ${root}${path.normalize(rel).startsWith('..') ? '' : ' (through a link)'}`);
  return target;
}
