/**
 * The ignore file as BuildKit reads it: which file (`<Dockerfile>.dockerignore` first, `.dockerignore` at the
 * context root otherwise), its lines (moby/patternmatcher's ignorefile.ReadAll, then patternmatcher.New) and the
 * walk's verdict for each path (MatchesUsingParentResults: every pattern in order, the last match decides, and a
 * pattern that matched a folder holds for everything in it). Pure, but for `ignoreFileFor`'s `exists`.
 */
import path from 'node:path';
import { compileIgnore, goClean, goTrimSpace, matchIgnore, PatternError, type IgnorePattern } from './pattern.js';

export interface IgnoreRule extends IgnorePattern {
  /** A `!` line: what it matches is sent after all. */
  negate: boolean;
}

export interface IgnoreRules {
  /** The file the rules came from, relative to the context (or absolute when it lies outside), for messages. */
  file?: string;
  rules: IgnoreRule[];
}

export const NO_RULES: IgnoreRules = { rules: [] };

/**
 * The ignore file BuildKit reads for this Dockerfile: the Dockerfile's own path plus `.dockerignore` when that
 * file exists (the Dockerfile-specific file wins, and then `.dockerignore` is not read), else the context's.
 */
export function ignoreFileFor(context: string, dockerfile: string, exists: (file: string) => boolean): string | undefined {
  return [`${dockerfile}.dockerignore`, path.join(context, '.dockerignore')].find(exists);
}

/** ignorefile.ReadAll: BOM, `#` comments (only in column 1), trimmed, `!` split off, cleaned, no leading '/'. Pure. */
export function readIgnoreLines(text: string): { line: number; pattern: string }[] {
  const out: { line: number; pattern: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    let s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (i === 0 && s.startsWith('\uFEFF')) s = s.slice(1);
    if (s.startsWith('#')) return;
    s = goTrimSpace(s);
    if (s === '') return;
    const invert = s.startsWith('!');
    if (invert) s = goTrimSpace(s.slice(1));
    if (s.length > 0) {
      s = goClean(s);
      if (s.length > 1 && s.startsWith('/')) s = s.slice(1);
    }
    out.push({ line: i + 1, pattern: invert ? `!${s}` : s });
  });
  return out;
}

/** An ignore file's text as rules; throws, naming the file and line, where BuildKit would fail the build. Pure. */
export function parseIgnore(text: string, file = '.dockerignore'): IgnoreRules {
  const rules: IgnoreRule[] = [];
  for (const { line, pattern } of readIgnoreLines(text)) {
    // patternmatcher.New cleans once more, the `!` still attached
    let p = goClean(goTrimSpace(pattern));
    const negate = p.startsWith('!');
    if (negate && p.length === 1) throw new PatternError(`${file} line ${line}: a "!" with no pattern after it; remove the line or write the path to send after all.`);
    if (negate) p = p.slice(1);
    try {
      rules.push({ ...compileIgnore(p), negate });
    } catch (e) {
      if (!(e instanceof PatternError)) throw e;
      throw new PatternError(`${file} line ${line}: "${pattern}" is not a pattern BuildKit accepts: ${e.message}.`);
    }
  }
  return { file, rules };
}

/** What one pattern list says of one path, and per pattern whether it matched the path or a folder above it. */
export interface IgnoreVerdict {
  excluded: boolean;
  matched: readonly boolean[];
}

/**
 * patternmatcher's MatchesUsingParentResults: `parent` is the verdict of the folder the path lies in (none for a
 * path at the top). A pattern is skipped when it cannot change the outcome (an exclusion while nothing is
 * excluded, an inclusion while the path already is), exactly as BuildKit's walker does. Pure.
 */
export function judge(rules: IgnoreRules, file: string, parent?: IgnoreVerdict): IgnoreVerdict {
  let excluded = false;
  const matched = rules.rules.map((r, i) => {
    let hit = parent?.matched[i] ?? false;
    if (!hit) {
      if (r.negate !== excluded) return false;
      hit = matchIgnore(r, file);
    }
    if (hit) excluded = !r.negate;
    return hit;
  });
  return { excluded, matched };
}

/** True when the context path (no leading '/') is left out of the build, its folders judged on the way down. Pure. */
export function isIgnored(rules: IgnoreRules, file: string): boolean {
  let verdict: IgnoreVerdict | undefined;
  const parts = file.split('/');
  for (let i = 1; i <= parts.length; i++) verdict = judge(rules, parts.slice(0, i).join('/'), verdict);
  return verdict?.excluded ?? false;
}

/**
 * Whether something inside an excluded folder may still be sent: fsutil's walker skips the folder unless a `!`
 * pattern could match below it (any `!` pattern with a wildcard could; a plain one only if it starts with the
 * folder). Skipping is only a shortcut: the verdicts inside would all be "excluded". Pure.
 */
export function mayReinclude(rules: IgnoreRules, dir: string): boolean {
  const negations = rules.rules.filter((r) => r.negate);
  const bare = (r: IgnoreRule): string => r.source.replace(/\/\*\*$/, '').replace(/\/\*$/, '');
  if (negations.some((r) => /[*[\]?^\\]/.test(bare(r)))) return true;
  return negations.some((r) => `${bare(r)}/`.startsWith(`${dir}/`));
}
