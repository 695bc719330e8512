import { flagValue, parseDockerfile, type Instruction, type Parsed } from './parse.js';
import { processWord, splitWords } from './words.js';

/** One stage: `FROM <image> [AS <name>]`, with the image as BuildKit resolves it from the ARGs before the first FROM. */
export interface Stage {
  /** The `AS` name, lower case as BuildKit compares it. */
  name?: string;
  /** The FROM image after expansion: an image reference, another stage's name, or `scratch`. */
  from: string;
  /** The index of the earlier stage `from` names, when it names one. */
  fromStage?: number;
  /** `--platform=`, as written. */
  platform?: string;
  line: number;
  /** The stage's instructions after its FROM. */
  instructions: Instruction[];
}

/** The one model of the run's Dockerfile: parsed once, then read by every stage of the run. */
export interface Dockerfile extends Parsed {
  /** The text as read: cache keys name it. */
  text: string;
  stages: Stage[];
  /** ARGs declared before the first FROM, with their value (build args first, then defaults), when they have one. */
  metaArgs: ReadonlyMap<string, string>;
}

/**
 * `ARG a=1 b` into the scope: a build arg wins over the default; a bare ARG in a stage takes the meta ARG's value;
 * an ENV of the stage (`env`) wins over both. Pure but for `scope`.
 */
export function declareArgs(ins: Pick<Instruction, 'args'>, escape: string, given: ReadonlyMap<string, string>, scope: Map<string, string>, meta?: ReadonlyMap<string, string>, env?: ReadonlySet<string>): void {
  for (const w of splitWords(ins.args, escape)) {
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    let dflt: string | undefined;
    try {
      dflt = eq < 0 ? meta?.get(name) : processWord(w.slice(eq + 1), scope, escape);
    } catch {
      dflt = undefined; // BuildKit refuses this ARG; the build stops there
    }
    const value = given.get(name) ?? dflt;
    if (value !== undefined && !env?.has(name)) scope.set(name, value);
  }
}

/** The run's Dockerfile, parsed once: directives, instructions, stages, and the ARGs FROM sees. Pure; throws DockerfileSyntaxError. */
export function readModel(text: string, buildArgs: ReadonlyMap<string, string> = new Map()): Dockerfile {
  const parsed = parseDockerfile(text);
  const { escape } = parsed;
  const meta = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = splitWords(ins.args, escape);
      let from = image;
      try {
        from = processWord(image, meta, escape);
      } catch {
        // an expansion BuildKit refuses: kept as written, so nothing resolves it
      }
      const fromStage = stages.findIndex((s) => s.name !== undefined && s.name === from.toLowerCase());
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name.toLowerCase() : undefined, from, fromStage: fromStage >= 0 ? fromStage : undefined, platform: flagValue(ins.flags, 'platform'), line: ins.line, instructions: [] });
    } else if (!stages.length) {
      if (ins.keyword === 'ARG') declareArgs(ins, escape, buildArgs, meta);
    } else stages[stages.length - 1].instructions.push(ins);
  }
  return { ...parsed, text, stages, metaArgs: meta };
}

/** The stage `target` names (lower case), or the last. Pure. */
function targetStage(df: Pick<Dockerfile, 'stages'>, target = ''): number {
  const named = target ? df.stages.findIndex((s) => s.name === target.toLowerCase()) : -1;
  return named >= 0 ? named : df.stages.length - 1;
}

/**
 * The image the built stage (the target, or the last) starts from, following `FROM <stage>` back to an image;
 * undefined for scratch, or when an ARG left it unresolved. Pure.
 */
export function finalBaseOf(df: Pick<Dockerfile, 'stages'>, target = ''): string | undefined {
  let i = targetStage(df, target);
  for (let hops = 0; i >= 0 && hops <= df.stages.length; hops++) {
    const s = df.stages[i];
    if (s.fromStage === undefined) return s.from && s.from !== 'scratch' && !s.from.includes('$') ? s.from : undefined;
    i = s.fromStage;
  }
  return undefined;
}

/** Names of the ARGs a Dockerfile declares, in any stage. Pure. */
export function declaredArgs(df: Parsed): string[] {
  const names: string[] = [];
  for (const ins of df.instructions) {
    if (ins.keyword !== 'ARG') continue;
    for (const word of splitWords(ins.args, df.escape)) {
      const name = word.split('=')[0];
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) names.push(name);
    }
  }
  return [...new Set(names)];
}

/** Names of the Dockerfile's stages (`FROM … AS name`), lowercased as BuildKit compares them. Pure. */
export function stageNames(df: Pick<Dockerfile, 'stages'>): string[] {
  return df.stages.flatMap((s) => (s.name ? [s.name] : []));
}

/**
 * Whether a layer cache can save anything: only RUN steps do work worth keeping. Without them the cache would
 * hold base layers (pulled anyway) and COPY results (cheaper to redo than to save and restore). Pure.
 */
export function hasRunSteps(df: Parsed): boolean {
  return df.instructions.some((i) => i.keyword === 'RUN');
}
