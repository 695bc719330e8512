/** The shapes every input is parsed from: booleans, lines, lists, counts, KEY=VALUE, shell-like words. Pure. */
import { InputError } from '../errors.js';

export function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  const v = raw.trim();
  if (v === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new InputError(name, `"${v}" is not a boolean; use true or false.`);
}

/** Non-empty, trimmed lines; '#' starts a comment line. */
export function parseLines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The input's lines as written; metadata-action's parsers drop blanks and comments themselves. */
export function rawLines(raw: string): string[] {
  return raw === '' ? [] : raw.split(/\r?\n/);
}

/** metadata-action's separators: taken untrimmed, empty means newline. */
export function separator(raw: string): string {
  return raw === '' ? '\n' : raw;
}


export function parseCount(name: string, raw: string, fallback: number, max: number): number {
  const v = raw.trim();
  if (v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) > max) throw new InputError(name, `"${v}" is not a whole number from 0 to ${max}.`);
  return Number(v);
}

/** buildx's --provenance: `true` is our own SLSA v1 statement (attached after the push), so BuildKit's stays off; mode=min|max is BuildKit's. */
export function parseProvenance(raw: string): string {
  const v = raw.trim() || 'false';
  if (v === 'true' || v === 'false') return 'false';
  if (/^mode=(min|max)(,[a-z-]+=[^,]+)*$/.test(v)) return v;
  throw new InputError('provenance', `"${v}" is not true, false, mode=min or mode=max.`);
}

export function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[], fallback: T): T {
  const v = raw.trim() || fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new InputError(name, `"${v}" is not one of ${allowed.join(', ')}.`);
  return v as T;
}

/** Newline- or comma-separated list, as metadata-action and build-push-action accept. */
export function parseList(raw: string): string[] {
  return parseLines(raw)
    .flatMap((l) => l.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseKeyValues(name: string, raw: string): [string, string][] {
  return parseLines(raw).map((line, i) => {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InputError(name, `line ${i + 1} "${line}" is not KEY=VALUE.`);
    return [line.slice(0, eq).trim(), line.slice(eq + 1)];
  });
}

/** Splits arguments the way a shell would split words, without running a shell: quotes group, nothing expands. */
export function splitArgs(name: string, raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < raw.length) cur += raw[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else if (c === '\\' && i + 1 < raw.length) {
      cur += raw[++i];
      inWord = true;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(name, `unclosed ${quote} quote in "${raw.trim()}".`);
  if (inWord) out.push(cur);
  return out;
}
