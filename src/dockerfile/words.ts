/** Shell-like word processing of Dockerfile arguments, as BuildKit's shlex does it for the instructions we read. */

export type Vars = ReadonlyMap<string, string>;

/** Expands $VAR, ${VAR}, ${VAR:-word}, ${VAR:+word}, ${VAR:?msg} (and the forms without colon) and drops quotes; `\` escapes the next character. Pure. */
export function processWord(word: string, vars: Vars, escape = '\\'): string {
  let out = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else out += c;
    } else if (c === escape && i + 1 < word.length) {
      const next = word[++i];
      // inside double quotes only a few characters are escaped, as in a shell
      out += quote === '"' && !['"', '$', escape].includes(next) ? c + next : next;
    } else if (c === '"') {
      quote = quote ? null : '"';
    } else if (c === "'" && !quote) {
      quote = "'";
    } else if (c === '$') {
      const [value, used] = variable(word.slice(i + 1), vars, escape);
      out += value;
      i += used;
    } else {
      out += c;
    }
  }
  return out;
}

function variable(rest: string, vars: Vars, escape: string): [string, number] {
  if (rest.startsWith('{')) {
    const end = closingBrace(rest);
    if (end < 0) throw new Error(`missing '}' in \${${rest}`);
    const body = rest.slice(1, end);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+?])(.*))?$/s.exec(body);
    if (!m) throw new Error(`unsupported substitution \${${body}}`);
    const [, name, colon, op, alt = ''] = m;
    // with the colon an empty value counts as unset, as in a shell
    const set = vars.has(name) && (colon !== ':' || vars.get(name) !== '');
    const value = vars.get(name) ?? '';
    if (op === '-') return [set ? value : processWord(alt, vars, escape), end + 1];
    if (op === '+') return [set ? processWord(alt, vars, escape) : '', end + 1];
    if (op === '?' && !set) throw new Error(`${name}: ${alt || 'is not set'}`);
    return [value, end + 1];
  }
  // $1 and the like: positional parameters, which a Dockerfile never has
  const positional = /^[0-9]+/.exec(rest);
  if (positional) return ['', positional[0].length];
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (!m) return ['$', 0];
  return [vars.get(m[0]) ?? '', m[0].length];
}

function closingBrace(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits on unquoted whitespace, keeping quotes and escapes for processWord. Pure. */
export function splitWords(text: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escape && i + 1 < text.length) {
      cur += c + text[++i];
    } else if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (/\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** The exec form `["a", "b"]`, or undefined for the shell form. Pure. */
export function execForm(text: string): string[] | undefined {
  if (!text.trim().startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** KEY=VALUE pairs of ENV/LABEL/ARG, or the legacy `ENV KEY value` form. Pure. */
export function keyValues(text: string, vars: Vars, escape: string, legacy: boolean): [string, string][] {
  const words = splitWords(text, escape);
  if (legacy && words.length && !words[0].includes('=')) {
    const key = words[0];
    return [[key, processWord(text.trim().slice(key.length).trim(), vars, escape)]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new Error(`"${w}" is not KEY=VALUE`);
    return [processWord(w.slice(0, eq), vars, escape), processWord(w.slice(eq + 1), vars, escape)];
  });
}
