/** .dockerignore as Docker reads it: cleaned patterns, `!` exceptions, `**`, the last match decides. Pure. */

interface Pattern {
  re: RegExp;
  negate: boolean;
}

function globSource(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) re += '\\' + glob[++i];
    else re += /[.+^${}()|\\]/.test(c) ? '\\' + c : c;
  }
  return re;
}

/** A Go filepath.Match-style glob (plus `**`) as a RegExp over the whole path. Pure. */
export function globRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`);
}

function clean(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

export function parseIgnore(text: string): Pattern[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      return { negate, re: globRegExp(clean(negate ? l.slice(1).trim() : l)) };
    })
    .filter((p) => p.re.source !== '^$');
}

/** True when the context path (no leading '/') is left out of the build. */
export function isIgnored(patterns: readonly Pattern[], file: string): boolean {
  const parents: string[] = [];
  const parts = file.split('/');
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
  let ignored = false;
  for (const p of patterns) {
    if (p.re.test(file) || parents.some((d) => p.re.test(d))) ignored = !p.negate;
  }
  return ignored;
}
