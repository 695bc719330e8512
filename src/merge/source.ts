/** The legs the merge job stitches: from the `merge-digests` lines, or from a folder of the legs' digest files. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { parseDigestFile } from './digest-file.js';
import type { MergeSource } from './options.js';

/** One leg to merge: its digest, and what its digest file claims about it (when a file of our format gave it). */
export interface LegSource {
  digest: string;
  /** The file it came from, for messages. */
  file?: string;
  platform?: string;
  commit?: string;
}

const DOWNLOAD_HINT =
  "download the legs' files in the merge job first with actions/download-artifact (pattern: the legs' artifact names, merge-multiple: true, path: that folder), or give the digests one per line";

/** Reads the folder (regular files only) or takes the lines; throws InputError('merge-digests') before anything is pushed. */
export function resolveLegs(source: MergeSource): LegSource[] {
  const legs = 'digests' in source ? source.digests.map((digest) => ({ digest })) : readFolder(source.dir);
  // a digest named twice (a line repeated, a file copied) is one leg, with what our file format claims about it
  const byDigest = new Map<string, LegSource>();
  for (const l of legs) if (!byDigest.get(l.digest)?.platform) byDigest.set(l.digest, l);
  return [...byDigest.values()];
}

function readFolder(dir: string): LegSource[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new InputError('merge-digests', `the folder "${dir}" does not exist; ${DOWNLOAD_HINT}.`);
  }
  const files = names.filter((n) => statSync(path.join(dir, n)).isFile());
  if (!files.length) {
    const sub = names.length ? ` It holds only folders (${names.join(', ')}): without merge-multiple: true, download-artifact puts each artifact in its own folder.` : '';
    throw new InputError('merge-digests', `the folder "${dir}" holds no digest file; ${DOWNLOAD_HINT}.${sub}`);
  }
  return files.map((name) => {
    const parsed = parseDigestFile(name, readFileSync(path.join(dir, name), 'utf8'));
    if ('error' in parsed) {
      throw new InputError('merge-digests', `the file "${name}" in "${dir}" is no digest file: ${parsed.error}. Keep only the files push-by-digest legs wrote (or docker's empty files named by the digest's hex) in that folder.`);
    }
    return 'leg' in parsed ? { digest: parsed.leg.digest, file: name, platform: parsed.leg.platform, commit: parsed.leg.commit || undefined } : { digest: parsed.digest, file: name };
  });
}
