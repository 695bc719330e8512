import path from 'node:path/posix';
import type { Step } from '../../oci/config.js';
import { copyEntries, mkdirEntries, type ContextFile, type DirOwners, type PlannedEntry } from './copy.js';
import type { DockerfilePlan } from '../../dockerfile/reader.js';
import { LIBRARY_MTIME, splitBootJar } from './springboot.js';
import type { ImageRecord } from '../../cache/record.js';

export type LayerMode = 'auto' | 'single';

export interface PlannedLayer {
  entries: PlannedEntry[];
  /** A layer of the jar's COPY: its Spring Boot layer name, or null for the jar as one layer. */
  jarLayer?: string | null;
  /** A layer the image record names: made before, by these digests; `entries` is empty. */
  made?: { diffId: string; digest: string; size: number };
}

/** What the native builder makes, before any byte: the base, the history steps, and one entry list per layer. */
export interface BuildPlan {
  base: string;
  steps: Step[];
  layers: PlannedLayer[];
  /** What the plan did beyond the Dockerfile's letter (Spring Boot layers), for the log. */
  notes: string[];
  /** The jar a COPY took, as the context held it, when one COPY took a jar alone. */
  jar?: { path: string; mode: number; size: number };
}

export interface PlanOptions {
  layers: LayerMode;
  /** File times in every layer: the commit time (or SOURCE_DATE_EPOCH), in seconds. */
  mtime: number;
  /** The image record of this build: its jar's COPY takes the recorded layers, and the jar is never read. */
  recorded?: ImageRecord;
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
  const plan: BuildPlan = { base: df.base, steps: [], layers: [], notes: [] };
  for (const s of df.steps) {
    const { op, ...step } = s;
    if (!op) {
      plan.steps.push(step);
      continue;
    }
    if (op.kind === 'mkdir') {
      plan.steps.push(step);
      plan.layers.push({ entries: mkdirEntries(op, dirs, opts.mtime) });
      continue;
    }
    const entries = copyEntries(op, files, dirs, opts.mtime);
    const regular = entries.filter((e) => e.type === 'file');
    const jar = regular.length === 1 && regular[0].path.endsWith('.jar') && regular[0].source ? regular[0] : undefined;
    const file = jar && files.find((f) => f.path === jar.source);
    if (jar && file) plan.jar = { path: file.path, mode: file.mode, size: file.size };
    const recorded = opts.recorded;
    if (jar && recorded && recorded.jar.path === jar.source) {
      recordedCopy(plan, step, recorded);
      continue;
    }
    const split = opts.layers === 'auto' && jar ? splitBootJar(read(jar.source!), { path: '/' + jar.path, mode: jar.mode, uid: jar.uid, gid: jar.gid, mtime: opts.mtime }) : undefined;
    if (!split) {
      plan.steps.push(step);
      plan.layers.push({ entries, jarLayer: jar ? null : undefined });
      continue;
    }
    const dirsOfCopy = entries.filter((e) => e.type === 'dir');
    plan.notes.push(`${jar!.path} is a Spring Boot layered jar: ${split.map((l) => `${l.name} (${l.entries.length} files)`).join(', ')}, with a thin /${jar!.path} whose Class-Path names the libraries (through a class-path jar beside them).`);
    split.forEach((l, i) => {
      plan.steps.push(splitStep(step, l.name, i));
      // a layer of libraries only keeps one time stamp, its folders too, so that it is the same blob next commit
      const mtime = l.entries.every((e) => e.mtime === LIBRARY_MTIME) ? LIBRARY_MTIME : opts.mtime;
      const own = i === 0 ? [...dirsOfCopy.map((d) => ({ ...d, mtime })), ...l.entries] : l.entries;
      plan.layers.push({ entries: withParents(own, dirs, mtime), jarLayer: l.name });
    });
  }
  return plan;
}

type PlanStep = Omit<DockerfilePlan['steps'][number], 'op'>;

/** The history step of Spring Boot layer `name`, the `i`th of its COPY. Pure. */
function splitStep(step: PlanStep, name: string, i: number): Step {
  return { createdBy: `${step.createdBy.replace(/ # buildkit$/, '')} # image-publish: spring boot layer ${name}`, layer: true, change: i === 0 ? step.change : undefined };
}

/** The jar's COPY as the image record has it: the same steps, and the recorded layers in place of entries. */
function recordedCopy(plan: BuildPlan, step: PlanStep, recorded: ImageRecord): void {
  recorded.layers.forEach((l, i) => {
    plan.steps.push(l.name === null ? step : splitStep(step, l.name, i));
    plan.layers.push({ entries: [], jarLayer: l.name, made: { diffId: l.diffId, digest: l.digest, size: l.size } });
  });
  plan.notes.push(`${recorded.jar.path}: ${recorded.layers.length} layer(s) from the image record of this build (the jar was neither built nor read).`);
}
