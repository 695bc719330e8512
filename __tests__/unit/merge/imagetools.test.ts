import { describe, expect, it } from 'vitest';
import { MEDIA } from '../../../src/oci/media.js';
import { parseDockerConfig } from '../../../src/engine/docker-config.js';
import { createArgs, inspectArgs, useImagetools } from '../../../src/merge/imagetools.js';
import { readLeg, type LegReader } from '../../../src/merge/read.js';
import { checkMergeSupply } from '../../../src/merge/refuse.js';
import { RegistryError } from '../../../src/registry/errors.js';

const refused = new RegistryError('HTTP 401 UNAUTHORIZED', 'auth', 401);
const identity = { auths: { 'ghcr.io': { identitytoken: 'x' } } };

describe('the imagetools fallback is taken only when the native client cannot', () => {
  it.each<[string, unknown, { registry: string; password: string; username: string }[], object, boolean]>([
    ['401, no login in the inputs, an identity token in the docker config', refused, [], identity, true],
    ['403 likewise, the key spelled as a URL', new RegistryError('HTTP 403 DENIED', 'auth', 403), [], { auths: { 'https://ghcr.io/v1/': { identitytoken: 'x' } } }, true],
    ['a credential helper for the registry', refused, [], { credHelpers: { 'ghcr.io': 'gcloud' } }, true],
    ['the inputs log in to it: their credentials were refused, docker would be too', refused, [{ registry: 'ghcr.io', username: 'u', password: 'p' }], identity, false],
    ['basic credentials only (our client used them)', refused, [], { auths: { 'ghcr.io': { auth: 'dTpw' } } }, false],
    ['no docker config at all', refused, [], {}, false],
    ['an identity token for another registry', refused, [], { auths: { 'quay.io': { identitytoken: 'x' } } }, false],
    ['a transient failure', new RegistryError('HTTP 503', 'transient', 503), [], identity, false],
    ['a missing manifest', new RegistryError('HTTP 404 MANIFEST_UNKNOWN', 'fatal', 404), [], identity, false],
    ['an error that is no registry answer', new Error('boom'), [], identity, false],
  ])('%s: %s', (_, error, logins, config, want) => {
    expect(useImagetools(error, 'ghcr.io', logins, parseDockerConfig(JSON.stringify(config), '/cfg'))).toBe(want);
  });
});

describe('imagetools argv', () => {
  it.each<[string, Parameters<typeof createArgs>[0], string[]]>([
    [
      'dry run with index annotations: prints the bytes it would push',
      { sources: ['r/a@sha256:1', 'r/a@sha256:2'], tags: [], annotations: { 'org.opencontainers.image.revision': 'abc' }, dryRun: true },
      ['buildx', 'imagetools', 'create', '--dry-run', '--annotation', 'index:org.opencontainers.image.revision=abc', '--', 'r/a@sha256:1', 'r/a@sha256:2'],
    ],
    ['the index by digest', { sources: ['r/a@sha256:1'], tags: ['r/a@sha256:9'] }, ['buildx', 'imagetools', 'create', '--tag', 'r/a@sha256:9', '--', 'r/a@sha256:1']],
    ['a tag onto the index, last', { sources: ['r/a@sha256:9'], tags: ['r/a:v1'] }, ['buildx', 'imagetools', 'create', '--tag', 'r/a:v1', '--', 'r/a@sha256:9']],
  ])('%s', (_, opts, want) => expect(createArgs(opts)).toEqual(want));

  it('inspect: raw manifest or config', () => {
    expect(inspectArgs('r/a@sha256:1', 'raw')).toEqual(['buildx', 'imagetools', 'inspect', '--raw', 'r/a@sha256:1']);
    expect(inspectArgs('r/a@sha256:1', 'config')).toEqual(['buildx', 'imagetools', 'inspect', '--format', '{{json .Image}}', 'r/a@sha256:1']);
  });
});

describe('readLeg: what a leg is, from its manifest and config', () => {
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const manifest = json({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest: 'sha256:c', size: 10 }, layers: [] });
  const config = { os: 'linux', architecture: 'arm', variant: 'v7', config: { Labels: { 'org.opencontainers.image.revision': 'abc' } }, rootfs: { type: 'layers', diff_ids: [] } };
  const reader = (store: Record<string, { mediaType: string; bytes: Buffer }>): LegReader & { configs: number } => {
    const r = {
      configs: 0,
      manifest: async (d: string) => store[d],
      config: async () => {
        r.configs++;
        return config as never;
      },
    };
    return r;
  };

  it('a manifest: its platform and revision from the config', async () => {
    expect(await readLeg(reader({ 'sha256:m': { mediaType: MEDIA.ociManifest, bytes: manifest } }), 'sha256:m')).toEqual({
      mediaType: MEDIA.ociManifest,
      size: manifest.length,
      platforms: [{ os: 'linux', architecture: 'arm', variant: 'v7' }],
      revision: 'abc',
    });
  });

  it('missing: undefined', async () => {
    expect(await readLeg(reader({}), 'sha256:m')).toBeUndefined();
  });

  it('an index of one image and an attestation: its children, and the image read through', async () => {
    const children = [
      { mediaType: MEDIA.ociManifest, digest: 'sha256:m', size: manifest.length, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: MEDIA.ociManifest, digest: 'sha256:t', size: 5, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
    ];
    const index = json({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: children });
    const leg = await readLeg(reader({ 'sha256:i': { mediaType: MEDIA.ociIndex, bytes: index }, 'sha256:m': { mediaType: MEDIA.ociManifest, bytes: manifest } }), 'sha256:i');
    expect(leg).toEqual({ mediaType: MEDIA.ociIndex, size: index.length, platforms: [{ os: 'linux', architecture: 'arm', variant: 'v7' }], revision: 'abc', children });
  });

  it('an index of two platforms: both platforms, no config read', async () => {
    const children = ['amd64', 'arm64'].map((architecture, i) => ({ mediaType: MEDIA.ociManifest, digest: `sha256:${i}`, size: 1, platform: { os: 'linux', architecture } }));
    const r = reader({ 'sha256:i': { mediaType: MEDIA.ociIndex, bytes: json({ schemaVersion: 2, manifests: children }) } });
    expect((await readLeg(r, 'sha256:i'))?.platforms).toEqual(children.map((c) => c.platform));
    expect(r.configs).toBe(0);
  });
});

describe('merge job inputs', () => {
  it.each<[string, object, RegExp | undefined]>([
    ['sbom', { sbom: true, provenance: false, sign: 'none' }, /^Input 'sbom': is not supported together with merge-digests/],
    ['provenance: true', { sbom: false, provenance: true, sign: 'none' }, /^Input 'provenance': is not supported together with merge-digests/],
    ['sign: key (the merge signs the index)', { sbom: false, provenance: false, sign: 'key' }, undefined],
    ['none of them', { sbom: false, provenance: false, sign: 'none' }, undefined],
  ])('%s', (_, supply, want) => {
    const run = (): void => checkMergeSupply(true, supply as never);
    if (want) expect(run).toThrow(want);
    else expect(run).not.toThrow();
    expect(() => checkMergeSupply(false, supply as never)).not.toThrow();
  });
});
