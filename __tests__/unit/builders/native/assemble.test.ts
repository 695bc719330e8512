import { describe, expect, it } from 'vitest';
import { resolvedBase } from '../../../../src/builders/base.js';
import { assemble } from '../../../../src/builders/native/assemble.js';
import type { BaseImage } from '../../../../src/builders/native/base.js';
import type { Index, Manifest } from '../../../../src/oci/manifest.js';
import { MEDIA } from '../../../../src/oci/media.js';

const sha = (c: string): string => `sha256:${c.repeat(64)}`;

function platform(arch: string, c: string): BaseImage['platforms'][number] {
  return {
    platform: { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) },
    digest: sha(c),
    manifest: { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest: sha('f'), size: 2 }, layers: [{ mediaType: MEDIA.ociLayer, digest: sha('e'), size: 9 }] },
    config: { architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha('d')] } },
  };
}

describe('assemble: the base annotations (#22)', () => {
  const base: BaseImage = { repository: 'base/jre', digest: sha('0'), flavor: 'oci', platforms: [platform('amd64', 'a'), platform('arm64', 'b')], multiPlatform: true };
  const resolved = resolvedBase('127.0.0.1:5000/base/jre:17', base);
  const plan = { base: '127.0.0.1:5000/base/jre:17', steps: [], layers: [], notes: [] };

  it('each manifest names its platform\'s base manifest; the index, the digest the tag resolved to', () => {
    expect(resolved.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    const image = assemble(base, resolved, plan, [], [], [], '2026-01-01T00:00:00Z', true);
    const manifests = image.platforms.map((p) => JSON.parse(p.manifest.bytes.toString()) as Manifest);
    expect(manifests.map((m) => m.annotations)).toEqual([
      { 'org.opencontainers.image.base.name': '127.0.0.1:5000/base/jre:17', 'org.opencontainers.image.base.digest': sha('a') },
      { 'org.opencontainers.image.base.name': '127.0.0.1:5000/base/jre:17', 'org.opencontainers.image.base.digest': sha('b') },
    ]);
    expect((JSON.parse(image.index!.bytes.toString()) as Index).annotations).toEqual({ 'org.opencontainers.image.base.name': '127.0.0.1:5000/base/jre:17', 'org.opencontainers.image.base.digest': sha('0') });
  });

  it('a single platform: its manifest only', () => {
    const one = { ...base, digest: sha('a'), platforms: [base.platforms[0]], multiPlatform: false };
    const image = assemble(one, resolvedBase('127.0.0.1:5000/base/jre:17', one), plan, [], [], [], '2026-01-01T00:00:00Z', false);
    expect(image.index).toBeUndefined();
    expect((JSON.parse(image.platforms[0].manifest.bytes.toString()) as Manifest).annotations?.['org.opencontainers.image.base.digest']).toBe(sha('a'));
  });
});
