/** One instruction of a Dockerfile: its keyword (upper case), flags, the rest of the line, and its first line number. */
export interface Instruction {
  keyword: string;
  flags: string[];
  args: string;
  line: number;
  /** The instruction as written (continuations joined), for messages. */
  text: string;
}

export interface Parsed {
  escape: string;
  /** The `# syntax=` directive: the frontend image BuildKit runs to read this Dockerfile. */
  syntax?: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into instructions as BuildKit's parser does: directives, continuations, comments. Pure. */
export function parseDockerfile(text: string): Parsed {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  let syntax: string | undefined;
  let i = 0;
  // parser directives: only at the very top, before any other line
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[i]);
    if (!m) break;
    if (m[1].toLowerCase() === 'escape') escape = m[2];
    if (m[1].toLowerCase() === 'syntax') syntax = m[2];
  }
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const start = i;
    const raw = lines[i++].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    let joined = raw;
    while (joined.endsWith(escape) && i < lines.length) {
      joined = joined.slice(0, -1);
      const next = lines[i++];
      if (/^\s*#/.test(next)) {
        joined += escape;
        continue;
      }
      joined += next.trim() === '' ? '' : ' ' + next.trim();
    }
    if (joined.endsWith(escape)) joined = joined.slice(0, -1);
    const m = /^(\S+)\s*(.*)$/s.exec(joined.trim())!;
    const rest = m[2];
    const flags: string[] = [];
    let args = rest;
    for (;;) {
      const f = /^(--[A-Za-z-]+(?:=(?:"[^"]*"|\S*))?)\s*/.exec(args);
      if (!f) break;
      flags.push(f[1]);
      args = args.slice(f[0].length);
    }
    instructions.push({ keyword: m[1].toUpperCase(), flags, args: args.trim(), line: start + 1, text: joined.trim() });
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
