/** The `tags` input: one rule a line, `key=value` CSV fields; a bare field is the value, no type is raw. */
import { InputError } from '../errors.js';
import { listEntries, splitAttr, splitCsv } from './csv.js';
import { TAG_TYPES, type TagRule, type TagType } from './types.js';

export const DEFAULT_PRIORITIES: Record<TagType, number> = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100,
};

/** Rules used when the `tags` input is empty. */
export const DEFAULT_TAG_LINES = ['type=schedule', 'type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr'];

const has = (o: Record<string, string>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function fail(line: number, source: string, message: string): never {
  throw new InputError('tags', `line ${line} "${source}": ${message}`);
}

function setDefault(attrs: Record<string, string>, key: string, value: string): void {
  if (!has(attrs, key)) {
    attrs[key] = value;
  }
}

function parseRule(text: string, line: number, source: string): TagRule {
  let fields: string[];
  try {
    fields = splitCsv(text, false);
  } catch (e) {
    return fail(line, source, e instanceof Error ? e.message : String(e));
  }
  const attrs: Record<string, string> = {};
  let type: TagType | undefined;
  for (const field of fields) {
    const parts = splitAttr(field);
    if (parts.length === 1) {
      attrs['value'] = parts[0];
      continue;
    }
    const key = parts[0].toLowerCase();
    if (key === 'type') {
      if (!(TAG_TYPES as readonly string[]).includes(parts[1])) {
        fail(line, source, `unknown tag type "${parts[1]}" (expected one of ${TAG_TYPES.join(', ')})`);
      }
      type = parts[1] as TagType;
    } else {
      attrs[key] = parts[1];
    }
  }
  type ??= 'raw';
  switch (type) {
    case 'schedule':
      setDefault(attrs, 'pattern', 'nightly');
      break;
    case 'semver':
    case 'pep440':
      if (!has(attrs, 'pattern')) fail(line, source, `type=${type} needs a pattern attribute, e.g. pattern={{version}}`);
      setDefault(attrs, 'value', '');
      setDefault(attrs, 'match', '');
      if (has(attrs, 'floating') && !(type === 'semver' && ['highest', 'auto'].includes(attrs['floating']))) {
        fail(line, source, `invalid floating "${attrs['floating']}" (only type=semver supports floating=highest|auto)`);
      }
      break;
    case 'match':
      if (!has(attrs, 'pattern')) fail(line, source, 'type=match needs a pattern attribute (a regular expression)');
      setDefault(attrs, 'group', '0');
      if (isNaN(+attrs['group'])) fail(line, source, `invalid match group "${attrs['group']}" (expected a number)`);
      setDefault(attrs, 'value', '');
      break;
    case 'edge':
      setDefault(attrs, 'branch', '');
      break;
    case 'ref':
      if (!has(attrs, 'event')) fail(line, source, 'type=ref needs an event attribute (branch, tag or pr)');
      if (!['branch', 'tag', 'pr'].includes(attrs['event'])) fail(line, source, `invalid event "${attrs['event']}" (expected branch, tag or pr)`);
      if (attrs['event'] === 'pr') setDefault(attrs, 'prefix', 'pr-');
      break;
    case 'raw':
      if (!has(attrs, 'value')) fail(line, source, 'type=raw needs a value attribute');
      break;
    case 'sha':
      setDefault(attrs, 'prefix', 'sha-');
      setDefault(attrs, 'format', 'short');
      if (!['short', 'long'].includes(attrs['format'])) fail(line, source, `invalid format "${attrs['format']}" (expected short or long)`);
      if (has(attrs, 'pr') && !['head', 'merge'].includes(attrs['pr'])) fail(line, source, `invalid pr "${attrs['pr']}" (expected head or merge)`);
      break;
  }
  setDefault(attrs, 'enable', 'true');
  let priority = DEFAULT_PRIORITIES[type];
  if (has(attrs, 'priority')) {
    priority = Number(attrs['priority']);
    if (attrs['priority'].trim() === '' || !Number.isFinite(priority)) {
      fail(line, source, `invalid priority "${attrs['priority']}" (expected a number)`);
    }
  } else {
    attrs['priority'] = String(priority);
  }
  return { type, attrs, priority, line, source };
}

/** Parses the `tags` input lines (blank and `#` lines ignored; the defaults when none), sorted by priority, highest first. */
export function parseTagRules(lines: string[]): TagRule[] {
  let entries = listEntries(lines);
  if (entries.length === 0) {
    entries = DEFAULT_TAG_LINES.map(text => ({ line: 0, text, source: text }));
  }
  const rules = entries.map(e => parseRule(e.text, e.line, e.source));
  return rules.sort((a, b) => b.priority - a.priority);
}
