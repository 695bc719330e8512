/** Names of the ARGs a Dockerfile declares, in any stage. Pure: continuations and comments handled. */
export function declaredArgs(dockerfile: string): string[] {
  const logical = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const names: string[] = [];
  for (const line of logical) {
    const m = /^ARG\s+(.*)$/i.exec(line);
    if (!m) continue;
    for (const word of m[1].split(/\s+/)) {
      const name = word.split('=')[0];
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) names.push(name);
    }
  }
  return [...new Set(names)];
}

/** The 1-based line of the first instruction that mentions `needle`, for annotations. */
export function lineOf(dockerfile: string, needle: RegExp): number | undefined {
  const i = dockerfile.split(/\r?\n/).findIndex((l) => needle.test(l));
  return i < 0 ? undefined : i + 1;
}
