/** Pure helpers of the bench's report: medians, units, the markdown table. Unit-tested. */

export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seconds with one decimal, `-` for a missing figure. */
export const sec = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(1));

export function bytes(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** `a / b` as `0.42×`, `-` when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0) return '-';
  return `${(a / b).toFixed(2)}×`;
}

/** The tags a `v1.2.3` push gets from the semver patterns plus latest: 1.2.3, 1.2, 1, latest. */
export function versionTags(tag: string): string[] {
  const [major, minor, patch] = tag.replace(/^v/, '').split('.');
  return [`${major}.${minor}.${patch}`, `${major}.${minor}`, major, 'latest'];
}

/** A markdown table, columns padded so it also reads as plain text. */
export function markdownTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
