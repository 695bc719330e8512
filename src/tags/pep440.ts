/** The PEP 440 subset metadata-action uses (@renovate/pep440 valid/explain/clean/major/minor/patch). */

const VERSION_RE = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

export interface Pep440Version {
  epoch: number;
  release: number[];
  pre?: [string, number];
  post?: number;
  dev?: number;
  local?: string;
  isPrerelease: boolean;
  isPostrelease: boolean;
  isDevrelease: boolean;
}

function preLetter(l: string): string {
  const s = l.toLowerCase();
  if (s === 'alpha') return 'a';
  if (s === 'beta') return 'b';
  if (s === 'c' || s === 'pre' || s === 'preview') return 'rc';
  return s;
}

export function parsePep440(input: string): Pep440Version | undefined {
  const m = VERSION_RE.exec(input);
  const g = m?.groups;
  if (!g) {
    return undefined;
  }
  const v: Pep440Version = {
    epoch: Number(g.epoch ?? 0),
    release: (g.release ?? '0').split('.').map(Number),
    isPrerelease: false,
    isPostrelease: false,
    isDevrelease: false,
  };
  if (g.pre_l !== undefined) {
    v.pre = [preLetter(g.pre_l), Number(g.pre_n ?? 0)];
  }
  if (g.post !== undefined) {
    v.post = Number(g.post_n1 ?? g.post_n2 ?? 0);
  }
  if (g.dev_l !== undefined) {
    v.dev = Number(g.dev_n ?? 0);
  }
  if (g.local !== undefined) {
    v.local = g.local.toLowerCase().replace(/[-_]/g, '.');
  }
  v.isDevrelease = v.dev !== undefined;
  v.isPrerelease = v.pre !== undefined || v.isDevrelease;
  v.isPostrelease = v.post !== undefined;
  return v;
}

/** The normalised form (PEP 440 canonical string). */
export function cleanPep440(v: Pep440Version): string {
  let s = v.epoch !== 0 ? `${v.epoch}!` : '';
  s += v.release.join('.');
  if (v.pre) s += `${v.pre[0]}${v.pre[1]}`;
  if (v.post !== undefined) s += `.post${v.post}`;
  if (v.dev !== undefined) s += `.dev${v.dev}`;
  if (v.local !== undefined) s += `+${v.local}`;
  return s;
}

export const pepMajor = (v: Pep440Version): number => v.release[0] ?? 0;
export const pepMinor = (v: Pep440Version): number => v.release[1] ?? 0;
export const pepPatch = (v: Pep440Version): number => v.release[2] ?? 0;
