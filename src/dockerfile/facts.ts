/** The Dockerfile's instructions, one a line: continuations joined, blank and comment lines dropped. Pure. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Names of the ARGs a Dockerfile declares, in any stage. Pure. */
export function declaredArgs(dockerfile: string): string[] {
  const names: string[] = [];
  for (const line of instructions(dockerfile)) {
    const m = /^ARG\s+(.*)$/i.exec(line);
    if (!m) continue;
    for (const word of m[1].split(/\s+/)) {
      const name = word.split('=')[0];
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) names.push(name);
    }
  }
  return [...new Set(names)];
}

/**
 * Whether a layer cache can save anything: only RUN steps do work worth keeping. Without them the cache would
 * hold base layers (pulled anyway) and COPY results (cheaper to redo than to save and restore). Pure.
 */
export function hasRunSteps(dockerfile: string): boolean {
  return instructions(dockerfile).some((l) => /^RUN\s/i.test(l));
}

/**
 * True when the build output reaches the image only as ${JAR_FILE}: every COPY/ADD source is that argument
 * or a path outside target/ and build/ (and not the whole context). Only then may a cached jar stand in
 * for the whole build. Pure.
 */
export function copiesOnlyTheJar(dockerfile: string): boolean {
  for (const line of instructions(dockerfile)) {
    const m = /^(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!m) continue;
    let words: string[];
    try {
      words = m[2].startsWith('[') ? (JSON.parse(m[2]) as string[]) : m[2].split(/\s+/);
    } catch {
      return false;
    }
    const args = words.filter((w) => !w.startsWith('--'));
    if (words.some((w) => w.startsWith('--from='))) continue; // from another stage or image, not the context
    for (const src of args.slice(0, -1)) {
      if (/^\$\{?JAR_FILE\}?$/.test(src)) continue;
      if (/^(\.\/)?(target|build)(\/|$)|^\.\/?$|^\*|^\.\/\*/.test(src)) return false;
    }
  }
  return true;
}

/** Names of the Dockerfile's stages (`FROM … AS name`), lowercased as BuildKit compares them. Pure. */
export function stageNames(dockerfile: string): string[] {
  const names: string[] = [];
  for (const line of instructions(dockerfile)) {
    const m = /^FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)\s*$/i.exec(line);
    if (m) names.push(m[1].toLowerCase());
  }
  return names;
}
