import { InputError } from '../errors.js';
import { listEntries } from '../tags/csv.js';

/** metadata-action's annotation level prefix: `manifest:`, `index,manifest-descriptor:`, `manifest[linux/amd64]:`. */
const LEVELS = /^(?:(?:index|manifest|manifest-descriptor|index-descriptor)(?:\[[^\]]*\])?,?)+:/;

/**
 * `labels` and `annotations` lines: a line with an empty key (`=value`) is refused, since the engine would refuse it
 * only after the Java build; a line without `=` is dropped, as metadata-action does, with a warning (a value that goes
 * on over several lines loses its continuation this way). Returns the warnings. Pure.
 */
export function checkKeyValueLines(input: 'labels' | 'annotations', lines: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const { line, text } of listEntries([...lines], true)) {
    const eq = text.indexOf('=');
    if (eq < 0) {
      const what = input === 'labels' ? 'a label is one key=value a line; a value cannot go on over several lines' : 'an annotation is [level:]key=value';
      warnings.push(`Input '${input}': line ${line} "${text}" has no '=' and is dropped (${what}).`);
      continue;
    }
    const key = text.slice(0, eq).replace(input === 'annotations' ? LEVELS : /^$/, '').trim();
    if (key === '') throw new InputError(input, `line ${line} "${text}" has no key before '='; write key=value, e.g. org.opencontainers.image.vendor=ACME.`);
  }
  return warnings;
}
