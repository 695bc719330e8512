/** The `images` input: `name/app` a line (or comma separated on one line), or `name=…,enable=true|false`. */
import { InputError } from '../errors.js';
import { listEntries, splitCsv } from './csv.js';

export interface ImageEntry {
  name: string;
  enable: boolean;
}

function fields(text: string, fail: (m: string) => never): string[] {
  try {
    return splitCsv(text, false);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

export function parseImages(lines: string[]): ImageEntry[] {
  const entries = listEntries(lines);
  if (entries.length === 1) {
    const e = entries[0];
    const parts = fields(e.text, m => {
      throw new InputError('images', `line ${e.line} "${e.source}": ${m}`);
    }).map(f => f.split('=').map(p => p.trim()));
    if (parts.every(p => p.length === 1)) {
      return parts.map(p => ({ name: p[0], enable: true }));
    }
  }
  return entries.map(({ line, text, source }) => {
    const fail = (m: string): never => {
      throw new InputError('images', `line ${line} "${source}": ${m}`);
    };
    const image: ImageEntry = { name: '', enable: true };
    for (const field of fields(text, fail)) {
      const parts = field.split('=').map(p => p.trim());
      if (parts.length === 1) {
        image.name = parts[0];
        continue;
      }
      const key = parts[0].toLowerCase();
      const value = parts[1];
      if (key === 'name') {
        image.name = value;
      } else if (key === 'enable') {
        if (value !== 'true' && value !== 'false') fail(`invalid enable "${value}" (expected true or false)`);
        image.enable = value === 'true';
      } else {
        fail(`unknown image attribute "${key}" (expected name or enable)`);
      }
    }
    if (image.name.length === 0) fail('image name is empty');
    return image;
  });
}

/** Enabled image names, lower-cased as metadata-action does. */
export function imageNames(images: ImageEntry[]): string[] {
  return images.filter(i => i.enable).map(i => i.name.toLowerCase());
}
