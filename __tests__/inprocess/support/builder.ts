import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ImageBuilder } from '../../../src/builders/builder.ts';
import { publishFromBuilder } from '../../../src/builders/buildkit/builder-push.ts';
import type { BuilderKind } from '../../../src/builders/choose.ts';
import { registryPool, type Job } from '../../../src/job.ts';
import { gzipFixed } from '../../../src/oci/gzip.ts';
import { writeTar } from '../../../src/oci/tar.ts';
import type { RunDeps } from '../../../src/run.ts';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** What the fake builder was asked to do in one run, for tests that look at the pipeline's calls. */
export interface FakeBuilds {
  /** The kind the pipeline chose, per build. */
  kinds: BuilderKind[];
  /** The jar each build got (undefined: none). */
  jars: (string | undefined)[];
}

/** A one-layer image of `platform`: the jar (or a marker file) as its layer, the run's labels in its config. Pure. */
function image(labels: readonly string[], platform: string, jar: string | undefined): { layer: Buffer; config: Buffer; manifest: Buffer } {
  const data = jar ? readFileSync(jar) : Buffer.from('built by the in-process tier\n');
  const tar = writeTar([{ path: jar ? 'app.jar' : 'marker.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, data }]);
  const layer = gzipFixed(tar);
  const [os, architecture, variant] = platform.split('/');
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      ...(variant ? { variant } : {}),
      config: { Labels: Object.fromEntries(labels.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  );
  return { layer, config, manifest };
}

/**
 * Stands in for whichever builder the pipeline chose: `build` makes a tiny image in memory; `publish` pushes it by
 * digest to every target with the run's own registry clients, then the real tag writer (`publishFromBuilder`, as a
 * builder that pushes by itself does) writes the tags, or none for a push-by-digest leg.
 */
export function fakeBuilders(calls: FakeBuilds = { kinds: [], jars: [] }): RunDeps['createBuilder'] {
  return (kind: BuilderKind, job: Job): ImageBuilder => {
    let built: ReturnType<typeof image> | undefined;
    return {
      build: async (meta, _targets, jar) => {
        calls.kinds.push(kind);
        calls.jars.push(jar);
        built = image(meta.labels, job.inputs.platforms[0] ?? 'linux/amd64', jar);
        return { builder: 'fake', imageId: sha256(built.config) };
      },
      publish: async (targets, mode) => {
        if (!built) throw new Error('publish before build');
        const { layer, config, manifest } = built;
        const pool = registryPool(job);
        try {
          for (const { image: img } of targets) {
            const c = pool.client(img.registry);
            try {
              await c.pushBlob(img.repository, { digest: sha256(layer), size: layer.length }, () => layer);
              await c.pushBlob(img.repository, { digest: sha256(config), size: config.length }, () => config);
              await c.putManifest(img.repository, sha256(manifest), 'application/vnd.oci.image.manifest.v1+json', manifest);
            } catch (e) {
              // as a builder that pushes by itself: that image lacks the manifest, and the tag writer says so
              job.io.info(`${img.name}: ${e instanceof Error ? e.message : String(e)}`);
            }
          }
          return await publishFromBuilder(pool.client, targets, sha256(manifest), mode, (m) => job.io.info(m));
        } finally {
          pool.close();
        }
      },
    };
  };
}
