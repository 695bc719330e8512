import path from 'node:path/posix';
import type { Step } from '../../oci/config.js';
import { copyEntries, mkdirEntries, type ContextFile, type DirOwners, type PlannedEntry } from './copy.js';
import type { DockerfilePlan } from '../../dockerfile/reader.js';
import { LIBRARY_MTIME, splitBootJar } from './springboot.js';

export type LayerMode = 'auto' | 'single';

export interface PlannedLayer {
  entries: PlannedEntry[];
}

/** What the native builder makes, before any byte: the base, the history steps, and one entry list per layer. */
export interface BuildPlan {
  base: string;
  steps: Step[];
  layers: PlannedLayer[];
  /** What the plan did beyond the Dockerfile's letter (Spring Boot layers), for the log. */
  notes: string[];
}

export interface PlanOptions {
  layers: LayerMode;
  /** File times in every layer: the commit time (or SOURCE_DATE_EPOCH), in seconds. */
  mtime: number;
}

/** Parent folders of the entries that the list does not hold yet, taken from `dirs` or made 0755 root. Pure. */
function withParents(entries: PlannedEntry[], dirs: DirOwners, mtime: number): PlannedEntry[] {
  const have = new Set(entries.map((e) => e.path));
  const out = [...entries];
  for (const e of entries) {
    for (let d = path.dirname('/' + e.path); d !== '/'; d = path.dirname(d)) {
      if (have.has(d.slice(1))) continue;
      have.add(d.slice(1));
      const k = dirs.get(d);
      out.push({ path: d.slice(1), type: 'dir', mode: k?.mode ?? 0o755, uid: k?.uid ?? 0, gid: k?.gid ?? 0, mtime });
    }
  }
  return out;
}

/**
 * Dockerfile plan + the context's files → the layers as entry lists. With `layers: auto`, a COPY whose only file
 * is a Spring Boot layered jar becomes one layer per layers.idx entry. `read` gives a context file's bytes
 * (only jars are read here). Pure for a given `read`.
 */
export function planBuild(df: DockerfilePlan, files: readonly ContextFile[], read: (source: string) => Uint8Array, opts: PlanOptions): BuildPlan {
  const dirs: DirOwners = new Map();
  const steps: Step[] = [];
  const layers: PlannedLayer[] = [];
  const notes: string[] = [];
  for (const s of df.steps) {
    const { op, ...step } = s;
    if (!op) {
      steps.push(step);
      continue;
    }
    if (op.kind === 'mkdir') {
      steps.push(step);
      layers.push({ entries: mkdirEntries(op, dirs, opts.mtime) });
      continue;
    }
    const entries = copyEntries(op, files, dirs, opts.mtime);
    const regular = entries.filter((e) => e.type === 'file');
    const jar = regular.length === 1 && regular[0].path.endsWith('.jar') && regular[0].source ? regular[0] : undefined;
    const split = opts.layers === 'auto' && jar ? splitBootJar(read(jar.source!), { path: '/' + jar.path, mode: jar.mode, uid: jar.uid, gid: jar.gid, mtime: opts.mtime }) : undefined;
    if (!split) {
      steps.push(step);
      layers.push({ entries });
      continue;
    }
    const dirsOfCopy = entries.filter((e) => e.type === 'dir');
    notes.push(`${jar!.path} is a Spring Boot layered jar: ${split.map((l) => `${l.name} (${l.entries.length} files)`).join(', ')}, with a thin /${jar!.path} whose Class-Path names the libraries.`);
    split.forEach((l, i) => {
      steps.push({ createdBy: `${step.createdBy.replace(/ # buildkit$/, '')} # image-publish: spring boot layer ${l.name}`, layer: true, change: i === 0 ? step.change : undefined });
      // a layer of libraries only keeps one time stamp, its folders too, so that it is the same blob next commit
      const mtime = l.entries.every((e) => e.mtime === LIBRARY_MTIME) ? LIBRARY_MTIME : opts.mtime;
      const own = i === 0 ? [...dirsOfCopy.map((d) => ({ ...d, mtime })), ...l.entries] : l.entries;
      layers.push({ entries: withParents(own, dirs, mtime) });
    });
  }
  return { base: df.base, steps, layers, notes };
}
