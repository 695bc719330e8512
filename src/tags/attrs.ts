/** Tag rule attributes that no rule type reads: metadata-action drops them silently; we warn. */
import type { TagRule, TagType } from './types.js';

const COMMON = ['type', 'enable', 'priority', 'prefix', 'suffix'];
const BY_TYPE: Record<TagType, string[]> = {
  schedule: ['pattern'],
  semver: ['pattern', 'value', 'match', 'floating'],
  pep440: ['pattern', 'value', 'match'],
  match: ['pattern', 'group', 'value'],
  edge: ['branch'],
  ref: ['event'],
  raw: ['value'],
  sha: ['format', 'pr'],
};

/** One warning per rule attribute its type ignores (a bare field counts as `value`). Pure. */
export function ignoredAttributes(rules: readonly TagRule[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    const known = new Set([...COMMON, ...BY_TYPE[r.type]]);
    const ignored = Object.keys(r.attrs).filter((k) => !known.has(k));
    if (ignored.length) {
      out.push(`Input 'tags': line ${r.line} "${r.source}": type=${r.type} ignores ${ignored.map((k) => `"${k}"`).join(', ')}; known attributes: ${[...known].join(', ')}.`);
    }
  }
  return out;
}
