import { flagValue, type Parsed } from './parse.js';
import { declareArgs } from './model.js';
import { execForm, keyValues, processWord, splitWords } from './words.js';

/** A COPY or ADD source taken from the build context, expanded, with where it is written. */
export interface ContextSource {
  source: string;
  line: number;
  /** The instruction as written, for messages. */
  instruction: string;
}

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\/|^git@/i;
const LATER = '\u0000';

function expand(word: string, vars: ReadonlyMap<string, string>, escape: string): string | undefined {
  try {
    return processWord(word, vars, escape);
  } catch {
    return undefined;
  }
}

/**
 * The sources every COPY and ADD takes from the build context, in every stage: ARG (build args first, then defaults)
 * and ENV expanded as BuildKit does; not `--from` another stage or image, not URLs, not heredocs. `later` names
 * build args whose value is known only after the Java build (JAR_FILE): a source using one is left out, since it is
 * the jar. Pure.
 */
export function contextSources(df: Parsed, buildArgs: ReadonlyMap<string, string>, later: readonly string[] = []): ContextSource[] {
  const { escape, instructions } = df;
  const given = new Map(buildArgs);
  for (const name of later) if (!given.has(name)) given.set(name, `${LATER}${name}`);
  const meta = new Map<string, string>();
  let stage: Map<string, string> | undefined;
  let env = new Set<string>();
  const out: ContextSource[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      stage = new Map();
      env = new Set();
    } else if (ins.keyword === 'ARG') declareArgs(ins, escape, given, stage ?? meta, stage ? meta : undefined, env);
    else if (ins.keyword === 'ENV' && stage) {
      try {
        for (const [k, v] of keyValues(ins.args, stage, escape, true)) {
          stage.set(k, v);
          env.add(k);
        }
      } catch {
        // an ENV BuildKit would refuse: the build stops there anyway
      }
    } else if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && stage && flagValue(ins.flags, 'from') === undefined) {
      const words = execForm(ins.args) ?? splitWords(ins.args, escape);
      const vars = stage;
      for (const w of words.slice(0, -1)) {
        if (w.startsWith('<<')) continue;
        const source = expand(w, vars, escape);
        if (source && !source.includes(LATER) && !REMOTE.test(source)) out.push({ source, line: ins.line, instruction: ins.text });
      }
    }
  }
  return out;
}
