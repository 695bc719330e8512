/**
 * Path patterns as BuildKit reads them, matched without backtracking. Two dialects share one engine:
 * - ignore patterns (moby/patternmatcher, for .dockerignore): `**` crosses folders, and the pattern is first
 *   sorted into exact, prefix, suffix or regexp matching exactly as patternmatcher does;
 * - COPY sources (Go's filepath.Match, for wildcards in COPY/ADD): `*` and `?` never cross '/', `**` is `*`.
 * A pattern compiles to tokens, and a path is matched by walking the set of live token positions one character
 * at a time: O(path × pattern), whatever the pattern (a line of `**` cannot make it exponential). Pure.
 */

export class PatternError extends Error {}

type Token =
  | { t: 'lit'; c: number }
  | { t: 'one' } // `?`: one character, not '/'
  | { t: 'star' } // `*`: any run without '/'
  | { t: 'class'; negate: boolean; ranges: [number, number][] }
  | { t: 'dirs' } // patternmatcher's `(.*/)?`: nothing, or anything ending in '/'
  | { t: 'rest' } // patternmatcher's trailing `.*`
  | { t: 'start' }; // a bare `^` in a regexp pattern: Go's regexp reads it as "start of text"

const SLASH = 0x2f;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;

/** Go's filepath.Clean on a '/'-separated path. Pure. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') out.push(seg);
    else if (out.length && out[out.length - 1] !== '..') out.pop();
    else if (!rooted) out.push('..');
  }
  const s = (rooted ? '/' : '') + out.join('/');
  return s === '' ? '.' : s;
}

/** Go's unicode.IsSpace, which strings.TrimSpace trims (JS's trim differs: it trims U+FEFF, not U+0085). */
function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Go's strings.TrimSpace. Pure. */
export function goTrimSpace(s: string): string {
  const cs = [...s];
  let a = 0;
  let b = cs.length;
  while (a < b && isGoSpace(cs[a].codePointAt(0)!)) a++;
  while (b > a && isGoSpace(cs[b - 1].codePointAt(0)!)) b--;
  return cs.slice(a, b).join('');
}

const codes = (s: string): number[] => Array.from(s, (ch) => ch.codePointAt(0)!);

/** One class body `[...]` from `i` (just past '['), per filepath.Match's grammar; returns the token and the index past ']'. */
function readClass(p: number[], i: number, dialect: 'ignore' | 'glob'): { token: Token; next: number } {
  const bad = (why: string): never => {
    throw new PatternError(why);
  };
  let negate = false;
  if (p[i] === 0x5e) [negate, i] = [true, i + 1];
  const ranges: [number, number][] = [];
  const esc = (): number => {
    if (i >= p.length || p[i] === 0x2d || p[i] === 0x5d) bad('a character class needs a character before "-" or "]"');
    if (p[i] === BACKSLASH) {
      i++;
      if (i >= p.length) bad('a "\\" at the end of a character class');
      // patternmatcher hands `\d`, `\w`… to Go's regexp, where they mean digit, word…: not the letter
      if (dialect === 'ignore' && /[A-Za-z0-9]/.test(String.fromCodePoint(p[i]))) bad(`"\\${String.fromCodePoint(p[i])}" in a character class means a class of characters to BuildKit, not the letter`);
    } else if (dialect === 'ignore' && (p[i] === 0x2a || p[i] === 0x3f || p[i] === 0x5b)) {
      // patternmatcher rewrites `*`, `?` even inside [...], which turns the class into something else
      bad(`"${String.fromCodePoint(p[i])}" inside [...] is rewritten by BuildKit's matcher; escape it as "\\${String.fromCodePoint(p[i])}"`);
    }
    const c = p[i++];
    if (i >= p.length) bad('a character class is not closed with "]"');
    return c;
  };
  for (;;) {
    if (p[i] === 0x5d && ranges.length) return { token: { t: 'class', negate, ranges }, next: i + 1 };
    const lo = esc();
    let hi = lo;
    if (p[i] === 0x2d) {
      i++;
      hi = esc();
      if (hi < lo) bad(`the range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)} runs backwards`);
    }
    ranges.push([lo, hi]);
  }
}

/** The escaped character after a '\' outside a class; BuildKit reads `\d`, `\w`… as regexp classes, so they are refused. */
function escaped(p: number[], i: number, dialect: 'ignore' | 'glob'): number {
  if (i >= p.length) throw new PatternError('a "\\" at the end of the pattern escapes nothing');
  const c = p[i];
  if (dialect === 'ignore' && /[A-Za-z0-9]/.test(String.fromCodePoint(c))) {
    throw new PatternError(`"\\${String.fromCodePoint(c)}" means a class of characters to BuildKit's matcher, not the letter; write the letter without "\\"`);
  }
  return c;
}

/** A COPY source glob (filepath.Match), as tokens; throws PatternError when Go would say ErrBadPattern. Pure. */
export function compileGlob(glob: string): Token[] {
  const p = codes(glob);
  const tokens: Token[] = [];
  for (let i = 0; i < p.length; ) {
    const c = p[i++];
    if (c === 0x2a) tokens.push({ t: 'star' });
    else if (c === 0x3f) tokens.push({ t: 'one' });
    else if (c === 0x5b) {
      const cls = readClass(p, i, 'glob');
      tokens.push(cls.token);
      i = cls.next;
    } else if (c === BACKSLASH) tokens.push({ t: 'lit', c: escaped(p, i++, 'glob') });
    else tokens.push({ t: 'lit', c });
  }
  return tokens;
}

export type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** One cleaned ignore pattern (no `!`), sorted and compiled as patternmatcher's compile does. */
export interface IgnorePattern {
  source: string;
  type: MatchType;
  tokens: Token[];
}

/** An ignore pattern as patternmatcher compiles it; throws PatternError where BuildKit fails the build. Pure. */
export function compileIgnore(source: string): IgnorePattern {
  compileGlob(source); // patternmatcher first asks filepath.Match whether the pattern is well-formed
  const p = codes(source);
  const tokens: Token[] = [];
  let type: MatchType = 'exact';
  const push = (t: Token, regexp = true): void => {
    tokens.push(t);
    if (regexp) type = 'regexp';
  };
  for (let i = 0, n = 0; i < p.length; n++) {
    const c = p[i++];
    if (c === 0x2a && p[i] === 0x2a) {
      i++;
      if (p[i] === SLASH) i++;
      if (i < p.length) push({ t: 'dirs' });
      else if (type === 'exact') type = 'prefix';
      else push({ t: 'rest' });
      // a leading `**` makes it a suffix match, whatever follows (until a wildcard makes it a regexp again)
      if (n === 0) type = 'suffix';
    } else if (c === 0x2a) push({ t: 'star' });
    else if (c === 0x3f) push({ t: 'one' });
    else if (c === BACKSLASH) push({ t: 'lit', c: escaped(p, i++, 'ignore') });
    else if (c === 0x5b) {
      const cls = readClass(p, i, 'ignore');
      push(cls.token);
      i = cls.next;
    } else if (c === 0x5d) push({ t: 'lit', c });
    else if (c === 0x5e) push({ t: 'start' }, false);
    else push({ t: 'lit', c }, false);
  }
  return { source, type, tokens };
}

function inClass(tok: Extract<Token, { t: 'class' }>, c: number): boolean {
  return tok.ranges.some(([lo, hi]) => c >= lo && c <= hi) !== tok.negate;
}

/** Whether token `tok` consumes character `c`, and where that leaves the match. */
function step(tok: Token, c: number): { advance: boolean; stay: boolean; enter: boolean } {
  switch (tok.t) {
    case 'lit':
      return { advance: tok.c === c, stay: false, enter: false };
    case 'one':
      return { advance: c !== SLASH, stay: false, enter: false };
    case 'class':
      return { advance: inClass(tok, c), stay: false, enter: false };
    case 'star':
      return { advance: false, stay: c !== SLASH, enter: false };
    case 'rest':
      return { advance: false, stay: c !== NEWLINE, enter: false };
    case 'dirs':
      // `(.*/)?`: a '/' may close it at once; any character but a newline (Go's `.`) may open it
      return { advance: c === SLASH, stay: false, enter: c !== NEWLINE };
    default:
      return { advance: false, stay: false, enter: false };
  }
}

/**
 * The tokens against the whole path, by sets of live positions: `live[k]` means the tokens before k have matched;
 * `open[k]` means the `dirs` token k has begun and still needs its closing '/'. Linear in the path. Pure.
 */
export function matchTokens(tokens: readonly Token[], path: string): boolean {
  const m = tokens.length;
  const skipEmpty = (set: Uint8Array, atStart: boolean): void => {
    for (let k = 0; k < m; k++) {
      const t = tokens[k].t;
      if (set[k] && (t === 'star' || t === 'dirs' || t === 'rest' || (t === 'start' && atStart))) set[k + 1] = 1;
    }
  };
  let live = new Uint8Array(m + 1);
  let open = new Uint8Array(m);
  live[0] = 1;
  skipEmpty(live, true);
  for (const c of codes(path)) {
    const nextLive = new Uint8Array(m + 1);
    const nextOpen = new Uint8Array(m);
    for (let k = 0; k < m; k++) {
      if (open[k] && c !== NEWLINE) {
        nextOpen[k] = 1;
        if (c === SLASH) nextLive[k + 1] = 1;
      }
      if (!live[k]) continue;
      const s = step(tokens[k], c);
      if (s.advance) nextLive[k + 1] = 1;
      if (s.stay) nextLive[k] = 1;
      if (s.enter) nextOpen[k] = 1;
    }
    skipEmpty(nextLive, false);
    [live, open] = [nextLive, nextOpen];
  }
  return live[m] === 1;
}

/** Whether the '/'-separated path matches one compiled ignore pattern, exactly as patternmatcher's match(). Pure. */
export function matchIgnore(p: IgnorePattern, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.source;
    case 'prefix':
      return path.startsWith(p.source.slice(0, -2));
    case 'suffix': {
      const suffix = p.source.slice(2);
      return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    default:
      return matchTokens(p.tokens, path);
  }
}

/** A COPY source glob as a test of context paths (filepath.Match: `*` stays within one folder). Pure. */
export function globMatcher(glob: string): (path: string) => boolean {
  const tokens = compileGlob(glob);
  return (path) => matchTokens(tokens, path);
}

/** Whether a COPY source has wildcards (fsutil's containsWildcards: `*`, `?`, `[` not escaped by '\'). Pure. */
export function hasWildcards(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '*' || s[i] === '?' || s[i] === '[') return true;
  }
  return false;
}
