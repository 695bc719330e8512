import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Published } from '../builders/builder.js';
import { StageError } from '../errors.js';
import { normalPlatformName } from '../oci/manifest.js';
import { digestFileName, formatDigestFile, type LegDigest } from '../merge/digest-file.js';
import { legDigestsDir } from '../merge/options.js';
import { REVISION, type LegFound } from '../merge/plan.js';
import { clientReader, readLeg } from '../merge/read.js';
import { registryPool, type Job } from '../job.js';

/** The leg's record for the merge job, from what the registry holds under its digest: one platform, this commit. Pure. */
export function legRecord(found: Pick<LegFound, 'platforms' | 'revision'> | undefined, digest: string, sha: string, images: readonly string[]): LegDigest {
  if (!found) throw new StageError('push', `The registry does not serve ${digest}, which this leg just pushed.`);
  if (found.platforms.length !== 1) throw new StageError('push', `${digest} holds ${found.platforms.length} platforms, not one; a push-by-digest leg builds one platform (set \`platforms\`).`);
  if (found.revision !== sha) throw new StageError('push', `The pushed image's ${REVISION} label is "${found.revision ?? ''}", not this run's commit ${sha}; the merge job would refuse it.`);
  return { platform: normalPlatformName(found.platforms[0]), digest, commit: sha, images: [...images] };
}

/**
 * After a push by digest: the one digest every image got, checked; the platform and commit read back from the
 * first registry's config; the digest file written into `digests-dir` for actions/upload-artifact. Returns its path.
 */
export async function writeLegDigest(job: Job, published: Pick<Published, 'pushes'>): Promise<{ file: string; leg: LegDigest }> {
  const { inputs, ctx, io } = job;
  const digests = [...new Set(published.pushes.map((p) => p.digest))];
  if (digests.length !== 1) throw new StageError('push', `A push-by-digest leg must push one manifest to every image, but the registries got ${digests.join(', ') || 'nothing'}.`);
  const [digest] = digests;
  const first = published.pushes[0].image;
  const { client, close } = registryPool(job);
  let found: LegFound | undefined;
  try {
    // as the merge job will read it: a manifest, or one platform's manifest with BuildKit's attestations
    found = await readLeg(clientReader(client(first.registry), first.repository), digest);
  } finally {
    close();
  }
  const { sha } = job;
  const leg = legRecord(found, digest, sha, inputs.images.map((i) => i.name));
  const dir = legDigestsDir(inputs.distribute, ctx.runnerTemp);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, digestFileName(leg.platform));
  writeFileSync(file, formatDigestFile(leg));
  io.info(`Leg ${leg.platform}: ${digest} (commit ${sha}) written to ${file}; upload that folder with actions/upload-artifact for the merge job.`);
  return { file, leg };
}
