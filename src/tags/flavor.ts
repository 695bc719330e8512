/** The `flavor` input: latest=, prefix=/suffix= (with onlatest=), and ours: latest=highest, created=commit|now. */
import { InputError } from '../errors.js';
import { listEntries, splitCsv } from './csv.js';
import type { Flavor } from './types.js';

export function defaultFlavor(): Flavor {
  return { latest: 'auto', prefix: '', prefixLatest: false, suffix: '', suffixLatest: false, created: 'commit' };
}

export function parseFlavor(lines: string[]): Flavor {
  const flavor = defaultFlavor();
  for (const { line, text, source } of listEntries(lines)) {
    const fail = (message: string): never => {
      throw new InputError('flavor', `line ${line} "${source}": ${message}`);
    };
    let fields: string[] = [];
    try {
      fields = splitCsv(text, false);
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
    let onLatestFor: 'prefix' | 'suffix' | '' = '';
    for (const field of fields) {
      // metadata-action splits on every '=' and keeps the second part only.
      const parts = field.split('=').map(p => p.trim());
      if (parts.length === 1) {
        fail(`"${field}" is not key=value`);
      }
      const key = parts[0].toLowerCase();
      const value = parts[1] ?? '';
      switch (key) {
        case 'latest':
          if (!['auto', 'true', 'false', 'highest'].includes(value)) {
            fail(`invalid latest "${value}" (expected auto, true, false or highest)`);
          }
          flavor.latest = value as Flavor['latest'];
          break;
        case 'prefix':
          flavor.prefix = value;
          onLatestFor = 'prefix';
          break;
        case 'suffix':
          flavor.suffix = value;
          onLatestFor = 'suffix';
          break;
        case 'onlatest':
          if (!['true', 'false'].includes(value)) {
            fail(`invalid onlatest "${value}" (expected true or false)`);
          }
          if (onLatestFor === 'prefix') flavor.prefixLatest = value === 'true';
          if (onLatestFor === 'suffix') flavor.suffixLatest = value === 'true';
          break;
        case 'created':
          if (!['commit', 'now'].includes(value)) {
            fail(`invalid created "${value}" (expected commit or now)`);
          }
          flavor.created = value as Flavor['created'];
          break;
        default:
          fail(`unknown flavor "${key}" (expected latest, prefix, suffix, onlatest or created)`);
      }
    }
  }
  return flavor;
}
