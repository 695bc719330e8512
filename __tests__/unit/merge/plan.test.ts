import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/oci/manifest.js';
import { MEDIA } from '../../../src/oci/media.js';
import { digestOf } from '../../../src/oci/digest.js';
import { assembleIndex, indexAnnotations, indexMediaType, planMerge, samePlatform, type LegFound, type RegistryView } from '../../../src/merge/plan.js';
import type { LegSource } from '../../../src/merge/source.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const SHA = '1'.repeat(40);
const OTHER = '2'.repeat(40);

const amd: LegFound = { mediaType: MEDIA.ociManifest, size: 400, platforms: [{ os: 'linux', architecture: 'amd64' }], revision: SHA };
const arm: LegFound = { mediaType: MEDIA.ociManifest, size: 401, platforms: [{ os: 'linux', architecture: 'arm64', variant: 'v8' }], revision: SHA };
const legs: LegSource[] = [{ digest: d('a') }, { digest: d('b') }];
const view = (found: (LegFound | undefined)[], registry = 'ghcr.io'): RegistryView => ({ registry, image: `${registry}/acme/app`, found });

describe('planMerge refuses, naming what and where', () => {
  it.each<[string, LegSource[], RegistryView[], string[]]>([
    [
      'a digest missing from one registry (the registry, the image and the digest; legs and merge need the same images)',
      legs,
      [view([amd, arm]), view([amd, undefined], 'docker.io')],
      [`${d('b')} is missing from docker.io/acme/app on docker.io: every leg must push to every image of the merge job; give the legs and the merge job the same \`images\`.`],
    ],
    ['two digests of one platform', legs, [view([amd, { ...amd, size: 9 }])], [`${d('a')} and ${d('b')} both claim linux/amd64; give each platform one leg (one digest per platform).`]],
    [
      'a leg of another commit (both commits named)',
      legs,
      [view([amd, { ...arm, revision: OTHER }])],
      [`${d('b')} (linux/arm64/v8) was built from commit ${OTHER}, but this run is at ${SHA}; run the legs and the merge job in one workflow run, on one commit.`],
    ],
    ['a leg without any commit', legs, [view([amd, { ...arm, revision: undefined }])], [`${d('b')} on ghcr.io/acme/app on ghcr.io names no commit (no org.opencontainers.image.revision label); build the legs with this action and push-by-digest: true.`]],
    [
      'a leg that is a multi-platform index',
      legs,
      [view([amd, { mediaType: MEDIA.ociIndex, size: 700, platforms: [arm.platforms[0], { os: 'linux', architecture: 's390x' }] }])],
      [`${d('b')} on ghcr.io/acme/app on ghcr.io is a multi-platform index (linux/arm64/v8, linux/s390x), not one platform's image; merge the legs' own digests, one platform each.`],
    ],
    [
      "a digest file's platform that its manifest contradicts",
      [{ digest: d('a'), file: 'linux-arm64', platform: 'linux/arm64' }, { digest: d('b') }],
      [view([amd, arm])],
      [`${d('a')}: its digest file linux-arm64 says linux/arm64, but the image on ghcr.io/acme/app on ghcr.io is linux/amd64; download the digest files of this run's legs only.`],
    ],
    ['nothing to merge', [], [view([])], ['no digest to merge']],
  ])('%s', (_, ls, views, problems) => {
    expect(planMerge(ls, views, SHA, [])).toEqual({ problems });
  });

  it('lists every problem of every registry at once', () => {
    const r = planMerge(legs, [view([amd, { ...arm, revision: OTHER }]), view([undefined, arm], 'quay.io')], SHA, []);
    // the commit is the image's, the same everywhere: said once
    expect(r).toEqual({ problems: [expect.stringContaining(`${d('b')} (linux/arm64/v8) was built from commit ${OTHER}`), expect.stringContaining(`${d('a')} is missing from quay.io/acme/app on quay.io`)] });
  });

  it("takes the digest file's commit when the image has no label, and checks it", () => {
    const ls: LegSource[] = [{ digest: d('a'), commit: SHA }, { digest: d('b'), commit: OTHER }];
    const r = planMerge(ls, [view([{ ...amd, revision: undefined }, { ...arm, revision: undefined }])], SHA, []);
    expect(r).toEqual({ problems: [expect.stringContaining(`${d('b')} (linux/arm64/v8) was built from commit ${OTHER}`)] });
  });
});

describe('the index', () => {
  it('holds one descriptor per leg (media type, digest, size, platform), sorted by platform whatever the order of the legs', () => {
    const a = planMerge(legs, [view([amd, arm]), view([amd, arm], 'docker.io')], SHA, []);
    const b = planMerge([...legs].reverse(), [view([arm, amd])], SHA, []);
    if (!('plan' in a) || !('plan' in b)) throw new Error('refused');
    expect(a.plan.bytes.equals(b.plan.bytes)).toBe(true);
    expect(a.plan.digest).toBe(digestOf(a.plan.bytes));
    expect(a.plan.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(JSON.parse(a.plan.bytes.toString())).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        { mediaType: MEDIA.ociManifest, digest: d('a'), size: 400, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: MEDIA.ociManifest, digest: d('b'), size: 401, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      ],
    });
  });

  it.each<[string, Descriptor[], string]>([
    ['docker v2 manifests only: a docker manifest list', [{ mediaType: MEDIA.dockerManifest, digest: d('a'), size: 1 }, { mediaType: MEDIA.dockerManifest, digest: d('b'), size: 1 }], MEDIA.dockerList],
    ['one OCI manifest among them: an OCI index', [{ mediaType: MEDIA.dockerManifest, digest: d('a'), size: 1 }, { mediaType: MEDIA.ociManifest, digest: d('b'), size: 1 }], MEDIA.ociIndex],
    ['OCI only', [{ mediaType: MEDIA.ociManifest, digest: d('a'), size: 1 }], MEDIA.ociIndex],
  ])('%s', (_, entries, want) => expect(indexMediaType(entries)).toBe(want));

  it('takes the children of a one-platform index with attestations verbatim, next to their image', () => {
    const image: Descriptor = { mediaType: MEDIA.ociManifest, digest: d('c'), size: 500, platform: { architecture: 'arm64', os: 'linux' } };
    const att: Descriptor = { mediaType: MEDIA.ociManifest, digest: d('e'), size: 800, platform: { architecture: 'unknown', os: 'unknown' }, annotations: { 'vnd.docker.reference.digest': d('c'), 'vnd.docker.reference.type': 'attestation-manifest' } };
    const indexLeg: LegFound = { mediaType: MEDIA.ociIndex, size: 900, platforms: [{ os: 'linux', architecture: 'arm64' }], revision: SHA, children: [image, att] };
    const docker: LegFound = { ...amd, mediaType: MEDIA.dockerManifest };
    const p = assembleIndex([{ digest: d('b'), found: indexLeg }, { digest: d('a'), found: docker }], {});
    const doc = JSON.parse(p.bytes.toString()) as { mediaType: string; manifests: Descriptor[] };
    expect(doc.manifests).toEqual([{ mediaType: MEDIA.dockerManifest, digest: d('a'), size: 400, platform: { architecture: 'amd64', os: 'linux' } }, image, att]);
    expect(doc.mediaType).toBe(MEDIA.ociIndex);
  });

  it('carries the annotations of the manifest and index levels, prefix stripped, keys sorted; none on a docker list', () => {
    const lines = ['manifest:org.opencontainers.image.revision=abc', 'index:org.opencontainers.image.created=2026-11-01T12:00:00Z', 'manifest-descriptor:skip=1', 'org.opencontainers.image.title=app=x'];
    expect(indexAnnotations(lines)).toEqual({ 'org.opencontainers.image.created': '2026-11-01T12:00:00Z', 'org.opencontainers.image.revision': 'abc', 'org.opencontainers.image.title': 'app=x' });
    expect(Object.keys(indexAnnotations(lines))).toEqual(['org.opencontainers.image.created', 'org.opencontainers.image.revision', 'org.opencontainers.image.title']);
    const r = planMerge(legs, [view([amd, arm])], SHA, lines);
    expect('plan' in r && JSON.parse(r.plan.bytes.toString()).annotations).toEqual(indexAnnotations(lines));
    const docker = planMerge(legs, [view([{ ...amd, mediaType: MEDIA.dockerManifest }, { ...arm, mediaType: MEDIA.dockerManifest }])], SHA, lines);
    expect('plan' in docker && docker.plan.mediaType).toBe(MEDIA.dockerList);
    expect('plan' in docker && JSON.parse(docker.plan.bytes.toString())).not.toHaveProperty('annotations');
  });

  it.each<[string, string, boolean]>([
    ['linux/arm64', 'linux/arm64/v8', true],
    ['linux/arm64/v8', 'linux/arm64/v8', true],
    ['linux/arm/v7', 'linux/arm/v6', false],
    ['linux/amd64', 'linux/arm64', false],
  ])('a digest file saying %s matches an image of %s: %s', (claimed, actual, want) => {
    const [os, architecture, variant] = actual.split('/');
    expect(samePlatform(claimed, { os, architecture, ...(variant ? { variant } : {}) })).toBe(want);
  });
});
