import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Published } from '../build/builder.js';
import { StageError } from '../errors.js';
import type { ImageConfig } from '../format/config.js';
import type { Manifest } from '../format/manifest.js';
import { configPlatform } from '../image/layout.js';
import { digestFileName, formatDigestFile, type LegDigest } from '../merge/digest-file.js';
import { legDigestsDir } from '../merge/options.js';
import { metaInputs } from '../metadata.js';
import { clientPool } from '../oci/pool.js';
import { userDockerConfigDir } from '../registry/config.js';
import { labelledSha } from '../tags/index.js';
import type { Job } from './job.js';

const REVISION = 'org.opencontainers.image.revision';

/** The leg's record for the merge job, from what the registry holds: the platform and the revision of the pushed config. Pure. */
export function legRecord(config: Pick<ImageConfig, 'os' | 'architecture' | 'variant' | 'config'>, digest: string, sha: string, images: readonly string[]): LegDigest {
  const revision = config.config?.Labels?.[REVISION];
  if (revision !== sha) throw new StageError('push', `The pushed image's ${REVISION} label is "${revision ?? ''}", not this run's commit ${sha}; the merge job would refuse it.`);
  return { platform: configPlatform(config), digest, commit: sha, images: [...images] };
}

/**
 * After a push by digest: the one digest every image got, checked; the platform and commit read back from the
 * first registry's config; the digest file written into `digests-dir` for actions/upload-artifact. Returns its path.
 */
export async function writeLegDigest(job: Job, published: Pick<Published, 'pushes'>): Promise<{ file: string; leg: LegDigest }> {
  const { inputs, ctx, env, io } = job;
  const digests = [...new Set(published.pushes.map((p) => p.digest))];
  if (digests.length !== 1) throw new StageError('push', `A push-by-digest leg must push one manifest to every image, but the registries got ${digests.join(', ') || 'nothing'}.`);
  const [digest] = digests;
  const first = inputs.images.find((i) => published.pushes.some((p) => p.ref.startsWith(`${i.name}@`)))!;
  const { client, close } = clientPool({ logins: inputs.logins, insecureRegistries: inputs.insecureRegistries, dockerConfigDir: userDockerConfigDir(env), policy: job.policy, log: (m) => io.warning(m) });
  let config: ImageConfig;
  try {
    const c = client(first.registry);
    const manifest = JSON.parse((await c.getManifest(first.repository, digest)).bytes.toString()) as Manifest;
    if (!manifest.config) throw new StageError('push', `${first.name}@${digest} is an index, not one platform's manifest; a push-by-digest leg builds one platform (set \`platforms\`).`);
    config = JSON.parse((await c.getBlob(first.repository, manifest.config.digest)).toString()) as ImageConfig;
  } finally {
    close();
  }
  const sha = labelledSha(ctx.eventName, ctx.sha, ctx.payload, metaInputs(inputs, env, ctx.eventName).prSha);
  const leg = legRecord(config, digest, sha, inputs.images.map((i) => i.name));
  const dir = legDigestsDir(inputs.distribute, ctx.runnerTemp);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, digestFileName(leg.platform));
  writeFileSync(file, formatDigestFile(leg));
  io.info(`Leg ${leg.platform}: ${digest} (commit ${sha}) written to ${file}; upload that folder with actions/upload-artifact for the merge job.`);
  return { file, leg };
}
