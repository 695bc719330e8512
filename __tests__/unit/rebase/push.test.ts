import { describe, expect, it } from 'vitest';
import { MEDIA } from '../../../src/oci/media.js';
import type { RebasedPlatform } from '../../../src/rebase/plan.js';
import { assembled } from '../../../src/rebase/push.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const layer = (c: string): { mediaType: string; digest: string; size: number } => ({ mediaType: MEDIA.ociLayer, digest: d(c), size: 10 });
const platform = (app: string[]): RebasedPlatform => ({
  platform: { os: 'linux', architecture: 'amd64' },
  manifest: { digest: d('e'), mediaType: MEDIA.ociManifest, bytes: Buffer.from('{}') },
  config: { digest: d('c'), mediaType: MEDIA.ociConfig, bytes: Buffer.from('{"a":1}') },
  baseLayers: [layer('a'), layer('b')],
  appLayers: app.map(layer),
  unchanged: false,
});

describe('assembled: the plan as the native builder pushes it', () => {
  it('app layers once each and without bytes (found in place, never uploaded); the configs with theirs', () => {
    const top = { digest: d('f'), mediaType: MEDIA.ociIndex, bytes: Buffer.from('{}') };
    const image = assembled({ kind: 'rebase', platforms: [platform(['x', 'y']), platform(['x', 'z'])], index: top, top, notes: [] });
    expect(image.flavor).toBe('oci');
    expect(image.layers).toEqual([d('x'), d('y'), d('z')].map((digest) => ({ digest, size: 10 })));
    expect(image.platforms[0].config).toEqual({ digest: d('c'), size: 7, data: Buffer.from('{"a":1}') });
    expect(image.platforms[0].baseLayers).toEqual([layer('a'), layer('b')]);
    expect(image.index).toBe(top);
  });

  it('a docker-typed release stays docker-typed', () => {
    const top = { digest: d('f'), mediaType: MEDIA.dockerManifest, bytes: Buffer.from('{}') };
    expect(assembled({ kind: 'rebase', platforms: [platform(['x'])], top, notes: [] }).flavor).toBe('docker');
  });
});
