/** A heredoc of RUN, COPY or ADD: `<<EOF` (or `<<-EOF`, `<<"EOF"`) and the lines up to its terminator. */
export interface Heredoc {
  name: string;
  /** The body, lines joined with a newline, ending with one (tabs stripped for `<<-`). */
  content: string;
  /** Quoted (`<<"EOF"`, `<<'EOF'`): the body is not expanded. */
  quoted: boolean;
}

/** One instruction of a Dockerfile: its keyword (upper case), flags, the rest of the line, and its first line number. */
export interface Instruction {
  keyword: string;
  flags: string[];
  args: string;
  line: number;
  /** The instruction as written (continuations joined), for messages. */
  text: string;
  heredocs: Heredoc[];
}

/** The Dockerfile as BuildKit's parser reads it: parser directives, then instructions. */
export interface Parsed {
  escape: string;
  /** The `# syntax=` directive: the frontend image BuildKit runs to read this Dockerfile. */
  syntax?: string;
  instructions: Instruction[];
}

/** A Dockerfile BuildKit's parser refuses, with the line at fault. */
export class DockerfileSyntaxError extends Error {
  constructor(
    readonly line: number,
    why: string,
  ) {
    super(`Dockerfile line ${line}: ${why}`);
  }
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const HEREDOC = /<<(-?)\s*(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2/g;
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * Parser directives, as BuildKit reads them: only at the very top, each `# name=value` line of a known name; the
 * first other line (a comment, an unknown directive, an empty line, an instruction) ends them. Pure.
 */
function directives(lines: readonly string[]): { escape: string; syntax?: string; next: number } {
  const seen = new Map<string, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m || !KNOWN_DIRECTIVES.has(m[1].toLowerCase())) break;
    const name = m[1].toLowerCase();
    if (seen.has(name)) throw new DockerfileSyntaxError(i + 1, `only one ${name} parser directive can be used`);
    seen.set(name, m[2]);
  }
  const escape = seen.get('escape') ?? '\\';
  if (escape !== '\\' && escape !== '`') throw new DockerfileSyntaxError(1, `invalid escape token '${escape}' does not match ` + '` or \\');
  return { escape, syntax: seen.get('syntax'), next: i };
}

/** The line without its continuation mark (the escape, then only blanks), and whether it had one. Pure. */
function continued(line: string, escape: string): [string, boolean] {
  const trimmed = line.replace(/[ \t]+$/, '');
  return trimmed.endsWith(escape) ? [trimmed.slice(0, -1), true] : [line, false];
}

/** Keyword, flags (`--name[=value]`) and arguments of a joined instruction line. Pure. */
function split(joined: string): { keyword: string; flags: string[]; args: string } {
  const m = /^(\S+)\s*(.*)$/s.exec(joined.trim())!;
  const flags: string[] = [];
  let args = m[2];
  for (;;) {
    const f = /^(--[A-Za-z-]+(?:=(?:"[^"]*"|\S*))?)\s*/.exec(args);
    if (!f) break;
    flags.push(f[1]);
    args = args.slice(f[0].length);
  }
  return { keyword: m[1].toUpperCase(), flags, args: args.trim() };
}

/**
 * Splits a Dockerfile into instructions as BuildKit's parser does: directives at the top; continuations with the
 * escape character, where comment lines and empty lines inside are dropped and the next line joins as written; the
 * bodies of RUN/COPY/ADD heredocs, which are never instructions. Pure; throws DockerfileSyntaxError.
 */
export function parseDockerfile(text: string): Parsed {
  const lines = text.split(/\r?\n/);
  const { escape, syntax, next } = directives(lines);
  const instructions: Instruction[] = [];
  let i = next;
  while (i < lines.length) {
    const start = i;
    let [joined, more] = continued(lines[i++].replace(/^\s+/, ''), escape);
    if (joined === '' && !more) continue;
    if (joined.startsWith('#')) continue;
    while (more && i < lines.length) {
      const raw = lines[i++];
      if (/^\s*#/.test(raw) || raw.trim() === '') continue;
      const [part, again] = continued(raw, escape);
      joined += part;
      more = again;
    }
    const parts = split(joined);
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(parts.keyword)) {
      for (const m of joined.matchAll(HEREDOC)) {
        const body: string[] = [];
        const strip = m[1] === '-';
        for (;;) {
          if (i >= lines.length) throw new DockerfileSyntaxError(start + 1, `the heredoc <<${m[1]}${m[2]}${m[3]}${m[2]} has no line "${m[3]}" that ends it`);
          const raw = strip ? lines[i++].replace(/^\t+/, '') : lines[i++];
          if (raw === m[3]) break;
          body.push(raw);
        }
        heredocs.push({ name: m[3], content: body.map((l) => `${l}\n`).join(''), quoted: m[2] !== '' });
      }
    }
    instructions.push({ ...parts, line: start + 1, text: joined.trim(), heredocs });
  }
  return { escape, syntax, instructions };
}

/** The value of --name=value among the flags, or undefined. Pure. */
export function flagValue(flags: readonly string[], name: string): string | undefined {
  const f = flags.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (f === undefined) return undefined;
  const v = f.includes('=') ? f.slice(f.indexOf('=') + 1) : '';
  return v.replace(/^"(.*)"$/, '$1');
}
