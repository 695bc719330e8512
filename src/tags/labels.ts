/** OCI labels and annotations: the org.opencontainers.image.* set from the repository, overridden by the user's. */
import { InputError } from '../errors.js';
import { listEntries } from './csv.js';
import { render, TemplateError, type Scope } from './template.js';
import type { RepoInfo } from './types.js';

export interface OciFacts {
  repo: RepoInfo;
  version?: string;
  created: Date;
  revision: string;
}

export function ociLabels(f: OciFacts): string[] {
  return [
    `org.opencontainers.image.title=${f.repo.name || ''}`,
    `org.opencontainers.image.description=${f.repo.description || ''}`,
    `org.opencontainers.image.url=${f.repo.htmlUrl || ''}`,
    `org.opencontainers.image.source=${f.repo.htmlUrl || ''}`,
    `org.opencontainers.image.version=${f.version || ''}`,
    `org.opencontainers.image.created=${f.created.toISOString()}`,
    `org.opencontainers.image.revision=${f.revision || ''}`,
    `org.opencontainers.image.licenses=${f.repo.license || ''}`,
  ];
}

/**
 * The OCI set plus the user's `key=value` lines (global expressions rendered), later keys winning,
 * entries without `=` dropped, sorted by key.
 */
export function withCustoms(input: 'labels' | 'annotations', base: string[], lines: string[], scope: Scope): string[] {
  const all = [...base];
  for (const { line, text, source } of listEntries(lines, true)) {
    try {
      all.push(render(text, scope));
    } catch (e) {
      if (e instanceof TemplateError) throw new InputError(input, `line ${line} "${source}": ${e.message}`);
      throw e;
    }
  }
  const map = new Map<string, string>();
  for (const entry of all) {
    const [key = '', ...values] = entry.split('=');
    if (values.length > 0) map.set(key, values.join('='));
  }
  return [...map]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k}=${v}`);
}

/** `key=value` entries as an object (the json output's labels). */
export function toRecord(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const m = /([^=]*)=(.*)/.exec(entry);
    if (m) out[m[1]] = m[2];
  }
  return out;
}
