import { describe, expect, it } from 'vitest';
import { imageEntries, isAttestation, isIndex, isUncompressedLayer, MANIFEST_TYPES, MEDIA } from '../../../src/oci/media.js';

const linux = { os: 'linux', architecture: 'amd64' };
const unknown = { os: 'unknown', architecture: 'unknown' };
const marked = { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': `sha256:${'a'.repeat(64)}` };

describe('isAttestation: which index entries are not images', () => {
  it.each([
    ["BuildKit's attestation manifest: both marks", { platform: unknown, annotations: marked }, true],
    ['the annotation alone (a tool that gives it a platform)', { platform: linux, annotations: marked }, true],
    ['unknown/unknown alone (nothing runs it)', { platform: unknown }, true],
    ['an image', { platform: linux }, false],
    ['an image with other annotations', { platform: linux, annotations: { 'org.opencontainers.image.ref.name': 'x' } }, false],
    ['another reference type is not an attestation manifest', { platform: linux, annotations: { 'vnd.docker.reference.type': 'other' } }, false],
    ['unknown os on a known architecture is a platform', { platform: { os: 'unknown', architecture: 'amd64' } }, false],
    ['an entry without platform or annotations', {}, false],
  ])('%s: %s', (_, entry, want) => expect(isAttestation(entry)).toBe(want));

  it('imageEntries keeps the entries with a platform that are not attestations, in order', () => {
    const entries = [
      { digest: 'a', platform: linux },
      { digest: 'att', platform: unknown, annotations: marked },
      { digest: 'noplatform' },
      { digest: 'b', platform: { os: 'linux', architecture: 'arm64' } },
    ];
    expect(imageEntries(entries).map((e) => e.digest)).toEqual(['a', 'b']);
  });
});

describe('media types', () => {
  it.each([
    [MEDIA.ociIndex, true],
    [MEDIA.dockerList, true],
    [MEDIA.ociManifest, false],
    [MEDIA.dockerManifest, false],
  ])('isIndex(%s) = %s', (type, want) => expect(isIndex(type)).toBe(want));

  it('asks registries for both index and both manifest types', () => expect([...MANIFEST_TYPES].sort()).toEqual([MEDIA.dockerList, MEDIA.dockerManifest, MEDIA.ociIndex, MEDIA.ociManifest].sort()));

  it.each([
    [MEDIA.ociLayerTar, true],
    [MEDIA.dockerLayerTar, true],
    [MEDIA.ociLayer, false],
    [MEDIA.dockerLayer, false],
  ])('isUncompressedLayer(%s) = %s', (mediaType, want) => expect(isUncompressedLayer({ mediaType })).toBe(want));
});
