import { flagValue, type Parsed } from './parse.js';
import { execForm, splitWords } from './words.js';

/**
 * Whether the jar is all the image takes from the context: every COPY names only `$JAR_FILE` (no ADD, no `--from`,
 * no heredoc). Then the jar's layers are the whole of what the work tree gives the image. Pure.
 */
export function takesOnlyTheJar(df: Parsed): boolean {
  return df.instructions.every((ins) => {
    if (ins.keyword === 'ADD') return false;
    if (ins.keyword !== 'COPY') return true;
    if (flagValue(ins.flags, 'from') !== undefined || ins.heredocs.length) return false;
    const words = ins.args.trim().startsWith('[') ? execForm(ins.args) : splitWords(ins.args, df.escape);
    return !!words && words.length > 1 && words.slice(0, -1).every((src) => /^\$\{?JAR_FILE\}?$/.test(src));
  });
}

/**
 * True when the build output reaches the image only as ${JAR_FILE}: every COPY/ADD source is that argument
 * or a path outside target/ and build/ (and not the whole context). Only then may a cached jar stand in
 * for the whole build. Pure.
 */
export function copiesOnlyTheJar(df: Parsed): boolean {
  for (const ins of df.instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    if (flagValue(ins.flags, 'from') !== undefined) continue; // from another stage or image, not the context
    if (ins.heredocs.length) continue; // the sources are the heredocs' text
    const words = ins.args.trim().startsWith('[') ? execForm(ins.args) : splitWords(ins.args, df.escape);
    if (!words) return false;
    for (const src of words.slice(0, -1)) {
      if (/^\$\{?JAR_FILE\}?$/.test(src)) continue;
      if (/^(\.\/)?(target|build)(\/|$)|^\.\/?$|^\*|^\.\/\*/.test(src)) return false;
    }
  }
  return true;
}
