import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync, utimesSync } from 'node:fs';
import path from 'node:path';

/**
 * What the build used of a restored Maven repository, told by access times: after the restore every file's atime
 * is set two days back, so the first read moves it forward (relatime, the default, updates an atime older than a
 * day). The unit is a folder's own files (an artifact's version folder: its pom, jar, checksums): Maven reads the
 * pom of every artifact it resolves, in every build, so a folder of which nothing was read is one the build no
 * longer resolves.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export interface Unit {
  /** Relative to the repository, '' for the top. */
  dir: string;
  /** The unit has no sub-folders: it moves as one folder. */
  leaf: boolean;
  files: { name: string; size: number; atimeMs: number; mtimeMs: number }[];
}

/** Every folder with files under `root`, its own files with their times. */
export function listUnits(root: string): Unit[] {
  const units: Unit[] = [];
  const walk = (rel: string): void => {
    const unit: Unit = { dir: rel, leaf: true, files: [] };
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) {
        unit.leaf = false;
        walk(child);
      } else if (e.isFile()) {
        const st = lstatSync(path.join(root, child));
        unit.files.push({ name: e.name, size: st.size, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs });
      }
    }
    if (unit.files.length) units.push(unit);
  };
  if (existsSync(root)) walk('');
  return units;
}

/** Sets every file's atime two days before now; returns now, the mark the build's reads are told by. */
export function markUnread(root: string, now = Date.now()): number {
  const old = new Date(now - 2 * DAY_MS);
  for (const u of listUnits(root)) for (const f of u.files) utimesSync(path.join(root, u.dir, f.name), old, new Date(f.mtimeMs));
  return now;
}

/**
 * The units of which no file was read or written since `since`; undefined when no unit was (then access times are
 * not kept here, a `noatime` mount, and nothing can be told). Pure.
 */
export function unusedUnits(units: readonly Unit[], since: number): Unit[] | undefined {
  const used = (u: Unit): boolean => u.files.some((f) => f.atimeMs > since || f.mtimeMs > since);
  if (!units.some(used)) return undefined;
  return units.filter((u) => !used(u));
}

export interface Aside {
  units: number;
  bytes: number;
  /** Puts everything back where it was. */
  back(): void;
}

/**
 * Moves the units out of `root` into `aside` (beside it, on the same file system: renames only), so a save of
 * `root` leaves them out; `back()` undoes it. A leaf moves as its folder, any other unit file by file.
 */
export function setAside(root: string, units: readonly Unit[], aside: string): Aside {
  const moves: [string, string][] = [];
  const move = (rel: string): void => {
    const to = path.join(aside, rel);
    mkdirSync(path.dirname(to), { recursive: true });
    renameSync(path.join(root, rel), to);
    moves.push([path.join(root, rel), to]);
  };
  let bytes = 0;
  try {
    for (const u of units) {
      bytes += u.files.reduce((n, f) => n + f.size, 0);
      if (u.leaf && u.dir !== '') move(u.dir);
      else for (const f of u.files) move(path.join(u.dir, f.name));
    }
  } catch (e) {
    undo(moves, aside);
    throw e;
  }
  return { units: units.length, bytes, back: () => undo(moves, aside) };
}

function undo(moves: [string, string][], aside: string): void {
  for (const [from, to] of moves.reverse()) {
    mkdirSync(path.dirname(from), { recursive: true });
    renameSync(to, from);
  }
  moves.length = 0;
  removeEmpty(aside);
}

function removeEmpty(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeEmpty(path.join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // not empty: something else lives there
  }
}
