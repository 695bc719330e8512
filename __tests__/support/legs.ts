/** Leg images for merge tests: a tiny synthetic single-platform image pushed BY DIGEST (no tag) to registries. */
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { RegistryClient } from '../../src/registry/client.ts';
import type { Services } from './services.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface LegImage {
  platform: string;
  digest: string;
  mediaType: string;
}

const policy = { retries: 2, totalMs: 60_000, random: Math.random, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), onRetry: () => undefined };

/** A client for a test registry (credentials on each; plain HTTP on the loopback ones). */
export function testClient(s: Pick<Services, 'user' | 'password'>, registry: string): RegistryClient {
  return new RegistryClient({ registry, credentials: { username: s.user, password: s.password }, policy });
}

/**
 * Pushes an image of `platform` (os/arch[/variant]) labelled with `revision` to `repo` on each registry, by
 * digest only; `flavor` docker gives docker v2 media types. Same inputs, same digest on every registry.
 */
export async function pushLeg(s: Pick<Services, 'user' | 'password'>, registries: readonly string[], repo: string, platform: string, revision: string, flavor: 'oci' | 'docker' = 'oci'): Promise<LegImage> {
  const [os, architecture, variant] = platform.split('/');
  const tar = Buffer.alloc(1024);
  Buffer.from(`${platform} ${revision}`).copy(tar, 0);
  const layer = gzipSync(tar, { level: 9 });
  // a gzip header holds no time when made from a buffer; still, fix the OS byte for every Node
  layer[9] = 3;
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      ...(variant ? { variant } : {}),
      created: '2026-11-01T12:00:00Z',
      config: { Labels: { 'org.opencontainers.image.revision': revision } },
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
    }),
  );
  const docker = flavor === 'docker';
  const mediaType = docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
    }),
  );
  for (const registry of registries) {
    const c = testClient(s, registry);
    try {
      await c.pushBlob(repo, { digest: sha(layer), size: layer.length }, () => layer);
      await c.pushBlob(repo, { digest: sha(config), size: config.length }, () => config);
      await c.putManifest(repo, sha(manifest), mediaType, manifest);
    } finally {
      c.close();
    }
  }
  return { platform, digest: sha(manifest), mediaType };
}
