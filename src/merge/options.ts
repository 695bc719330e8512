/** The inputs of a distributed build: push-by-digest legs and the merge job. Pure: throws InputError before anything runs. */
import path from 'node:path';
import { InputError } from '../errors.js';
import { parseBoolean, parseLines } from '../inputs/values.js';
import { digestOfLine } from './digest-file.js';

/** Where the merge takes the legs' digests from. */
export type MergeSource = { digests: string[] } | { dir: string };

export interface DistributeOptions {
  /** This run is a leg: one platform, pushed by digest only, its digest left in `digestsDir`. */
  pushByDigest: boolean;
  /** Absolute folder for the leg's digest file; '' means `$RUNNER_TEMP/image-publish-digests`. */
  digestsDir: string;
  /** This run is the merge job. */
  merge?: MergeSource;
}

type Read = (name: string) => string;

/** `merge-digests`: digests one per line, or one line naming a folder of digest files (relative to the workspace). */
export function parseMergeSource(raw: string, workspace: string): MergeSource | undefined {
  const ls = parseLines(raw);
  if (!ls.length) return undefined;
  const digests = ls.map(digestOfLine);
  if (digests.every((d): d is string => d !== undefined)) return { digests };
  if (ls.length === 1) return { dir: path.resolve(workspace, ls[0]) };
  const bad = ls.find((l) => !digestOfLine(l));
  throw new InputError('merge-digests', `"${bad}" is not a sha256 digest; give digests one per line (sha256:<hex>), or one line with the folder that actions/download-artifact wrote the legs' digest files to.`);
}

/** The folder a leg writes its digest file to. */
export function legDigestsDir(opts: Pick<DistributeOptions, 'digestsDir'>, runnerTemp: string): string {
  return opts.digestsDir || path.join(runnerTemp, 'image-publish-digests');
}

/** A leg pushes an untagged platform manifest: the signature belongs to the index the merge job makes; SBOM and our provenance are not made on distributed builds yet. */
function refuseSupplyOnLeg(read: Read): void {
  const on = (name: string): boolean => /^true$/i.test(read(name).trim());
  const name = on('sbom') ? 'sbom' : read('provenance').trim() === 'true' ? 'provenance' : (read('sign').trim() || 'none') !== 'none' ? 'sign' : undefined;
  if (!name) return;
  const fix = name === 'sign' ? 'set `sign` (key, with signing-key and signing-password, or keyless) on the merge job (merge-digests), which signs the index, and remove it from the legs' : `remove \`${name}\` from the legs: a build spread over runners gets no SBOM or provenance of ours yet (the merge job builds nothing to describe)`;
  throw new InputError(name, `a push-by-digest leg pushes one platform's manifest, untagged; ${fix}.`);
}

export function parseDistribute(
  read: Read,
  workspace: string,
  parsed: { platforms: readonly string[]; push: boolean; pushAuto: boolean; labels: readonly string[] },
): DistributeOptions {
  const pushByDigest = parseBoolean('push-by-digest', read('push-by-digest'), false);
  const dirRaw = read('digests-dir').trim();
  const merge = parseMergeSource(read('merge-digests'), workspace);
  if (pushByDigest && merge) throw new InputError('merge-digests', 'a run is either a leg (push-by-digest: true) or the merge job (merge-digests); set one of them per step.');
  if ((pushByDigest || merge) && !parsed.push) {
    throw new InputError('push', `${pushByDigest ? 'push-by-digest' : 'merge-digests'} pushes to the registries, but push is false; set push: true (or auto), or drop ${pushByDigest ? 'push-by-digest' : 'merge-digests'}.`);
  }
  if (pushByDigest && parsed.platforms.length > 1) {
    throw new InputError('platforms', `push-by-digest builds one platform per leg, but platforms lists ${parsed.platforms.length} (${parsed.platforms.join(', ')}); set platforms: \${{ matrix.platform }} in each matrix leg.`);
  }
  if (pushByDigest && parsed.labels.some((l) => l.trim().startsWith('org.opencontainers.image.revision='))) {
    throw new InputError('labels', 'a push-by-digest leg carries its commit in org.opencontainers.image.revision, which the merge job checks; remove that label from `labels`.');
  }
  if (pushByDigest) refuseSupplyOnLeg(read);
  return { pushByDigest, digestsDir: dirRaw ? path.resolve(workspace, dirRaw) : '', merge };
}
