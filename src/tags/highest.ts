/**
 * Ours: `flavor latest=highest` and `floating=highest` on semver rules. Given the tags already published,
 * `latest` and the floating tags ({{major}}, {{major}}.{{minor}}) must not move back to an older release.
 */
import semver, { type SemVer } from 'semver';

/** The non-prerelease versions among published tag names (`1.2.3`, `v1.2.3`); other tags are ignored. */
export function publishedReleases(tags: string[]): SemVer[] {
  const out: SemVer[] = [];
  for (const tag of tags) {
    const v = semver.parse(semver.clean(tag) ?? '');
    if (v && v.prerelease.length === 0) out.push(v);
  }
  return out;
}

export type Line = 'all' | 'major' | 'minor';

/** Whether no published release in `v`'s line (all, same major, same major.minor) is greater than `v`. */
export function isHighest(v: SemVer, published: SemVer[], line: Line): boolean {
  return !published.some(p => {
    if (line !== 'all' && p.major !== v.major) return false;
    if (line === 'minor' && p.minor !== v.minor) return false;
    return semver.gt(p, v);
  });
}

/** The line a semver pattern floats in: {{major}} alone is 'major', with {{minor}} 'minor'; with patch/version/raw it is fixed. */
export function floatingLine(pattern: string): Line | undefined {
  const names = new Set([...pattern.matchAll(/\{\{\{?~?\s*([\w$]+)/g)].map(m => m[1]));
  if (names.has('raw') || names.has('version') || names.has('patch')) return undefined;
  if (names.has('minor')) return 'minor';
  if (names.has('major')) return 'major';
  return undefined;
}
