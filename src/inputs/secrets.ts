import path from 'node:path';
import { InputError } from '../errors.js';

/** A BuildKit secret: its value (handed to BuildKit through the environment) or a file BuildKit reads itself. */
export interface BuildSecret {
  id: string;
  value?: string;
  /** Absolute path of a file secret (`id=file:PATH`); the action never reads it. */
  file?: string;
}

/** One entry of the `secrets` input as written: `id=value`, or `id<<EOF` with the value on the lines up to `EOF`. */
export interface SecretEntry {
  line: number;
  id: string;
  /** The value: the text after `=`, or the block's lines joined with newlines. */
  value: string;
  block: boolean;
}

/** A line that belongs to no entry (no `=`, not in a block), or a block without its end line. */
export interface SecretStray {
  line: number;
  text: string;
  unclosed?: boolean;
}

/**
 * Splits the `secrets` input into entries without judging them, so that every value can be masked before anything
 * may quote it. Block lines are kept as written (a PEM or settings.xml keeps its indentation); other lines are
 * trimmed, and blank and `#` lines between entries are skipped. Pure.
 */
export function lexSecrets(raw: string): { entries: SecretEntry[]; strays: SecretStray[] } {
  const lines = raw.split(/\r?\n/);
  const entries: SecretEntry[] = [];
  const strays: SecretStray[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '' || text.startsWith('#')) continue;
    const block = /^([^=\s]+)\s*<<\s*(\S+)$/.exec(text);
    if (block) {
      const end = lines.findIndex((l, j) => j > i && l.trim() === block[2]);
      const body = lines.slice(i + 1, end < 0 ? lines.length : end);
      if (end < 0) strays.push({ line: i + 1, text: body.join('\n'), unclosed: true });
      else entries.push({ line: i + 1, id: block[1], value: body.join('\n'), block: true });
      i = end < 0 ? lines.length : end;
      continue;
    }
    const eq = text.indexOf('=');
    if (eq <= 0) strays.push({ line: i + 1, text });
    else entries.push({ line: i + 1, id: text.slice(0, eq).trim(), value: text.slice(eq + 1), block: false });
  }
  return { entries, strays };
}

/** Every value the `secrets` input holds, as written: what must be masked before parsing. Pure. */
export function secretTexts(raw: string): string[] {
  const { entries, strays } = lexSecrets(raw);
  return [...entries.map((e) => e.value), ...strays.map((s) => s.text)];
}

const ID = /^[A-Za-z0-9_.-]+$/;

/**
 * The `secrets` input. `id=value` and the block form carry the value; `id=env:NAME` takes it from the step's
 * environment, `id=file:PATH` names a file (relative to the workspace) that BuildKit reads. Error messages give line
 * numbers, never the text of a line, which may be part of a secret. Pure.
 */
export function parseSecrets(raw: string, workspace: string, env: NodeJS.ProcessEnv): BuildSecret[] {
  const { entries, strays } = lexSecrets(raw);
  const stray = strays[0];
  if (stray?.unclosed) throw new InputError('secrets', `the block that starts on line ${stray.line} has no end line; close it with its delimiter alone on a line.`);
  if (stray) {
    throw new InputError('secrets', `line ${stray.line} is not id=value (its text is not shown: it may be part of a secret). For a value of several lines use the block form "id<<EOF", the lines, then "EOF"; or id=env:NAME or id=file:PATH.`);
  }
  const seen = new Set<string>();
  return entries.map((e) => {
    if (!ID.test(e.id)) throw new InputError('secrets', `line ${e.line}: the secret id may only hold letters, digits, '_', '.' and '-'.`);
    if (seen.has(e.id)) throw new InputError('secrets', `line ${e.line}: the id "${e.id}" is given twice; keep one.`);
    seen.add(e.id);
    if (e.block) return { id: e.id, value: e.value };
    const from = /^(env|file):(.+)$/.exec(e.value.trim());
    if (from?.[1] === 'env') {
      const name = from[2].trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError('secrets', `line ${e.line}: "${name}" is not an environment variable name.`);
      const value = env[name];
      if (value === undefined) throw new InputError('secrets', `line ${e.line}: the environment variable ${name} is not set; set it in the step's \`env:\`, e.g. ${name}: \${{ secrets.${name} }}.`);
      return { id: e.id, value };
    }
    if (from?.[1] === 'file') {
      // buildx reads --secret as CSV: a comma or quote would split the path
      if (/[,"]/.test(from[2])) throw new InputError('secrets', `line ${e.line}: the file path may not hold a comma or a double quote.`);
      return { id: e.id, file: path.resolve(workspace, from[2].trim()) };
    }
    return { id: e.id, value: e.value };
  });
}

/** The pieces of a secret to hand the runner's masker: the whole value and each of its lines (the log is masked line by line). Pure. */
export function maskPieces(value: string): string[] {
  const whole = value.trim();
  if (!whole) return [];
  // a line of one to three characters ("}", "-->") says nothing, and masking it would blank the whole log
  const lines = value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 4 && l !== whole);
  return [...new Set([whole, ...lines])];
}
