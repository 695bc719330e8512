import { createHash, randomBytes } from 'node:crypto';
import { readModel } from '../../../src/dockerfile/model.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { reuseSources } from '../../../src/builders/buildkit/docker-digest.js';
import { checkOnePlatform } from '../../../src/builders/native/builder.js';
import { InputError } from '../../../src/errors.js';
import { gzipFixed } from '../../../src/oci/gzip.js';
import type { Manifest } from '../../../src/oci/manifest.js';
import { MEDIA } from '../../../src/oci/media.js';
import { blobPath, configPlatform, layoutManifest, rewriteManifest } from '../../../src/builders/buildkit/layout.js';
import { isUncompressedLayer } from '../../../src/oci/media.js';
import { gzipFile } from '../../../src/builders/buildkit/save.js';
import { parseDistribute } from '../../../src/merge/options.js';
import { parseImageName } from '../../../src/oci/name.js';
import { legRecord } from '../../../src/stages/leg.js';

const sha = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

/** A layout's blobs by digest, as `read` serves them. */
function blobs(...docs: unknown[]): { read: (d: string) => Buffer; digests: string[] } {
  const map = new Map(docs.map((d) => [sha(JSON.stringify(d)), json(d)]));
  return {
    read: (d) => {
      const b = map.get(d);
      if (!b) throw new Error(`no blob ${d}`);
      return b;
    },
    digests: [...map.keys()],
  };
}

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const manifest: Manifest = {
  schemaVersion: 2,
  mediaType: MEDIA.ociManifest,
  config: { mediaType: MEDIA.ociConfig, digest: sha('config'), size: 6 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha('base'), size: 100 },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha('app'), size: 10, annotations: { a: 'b' } },
  ],
};
const other: Manifest = { ...manifest, layers: [manifest.layers[0]] };
const attestation = { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: manifest.config, layers: [] };

describe('layoutManifest: the one platform manifest docker save wrote', () => {
  const b = blobs(manifest, other, attestation);
  const [m, o, att] = b.digests;
  const entry = (digest: string, platform?: object, annotations?: object) => ({ mediaType: MEDIA.ociManifest, digest, size: 1, ...(platform ? { platform } : {}), ...(annotations ? { annotations } : {}) });
  const indexOf = (...manifests: object[]) => ({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests });
  const attEntry = entry(att, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' });

  it.each<[string, object, string]>([
    ['index.json names the manifest (both stores without attestations)', indexOf(entry(m, undefined, { 'io.containerd.image.name': 'x' })), m],
    ['index.json names the manifest next to an attestation', indexOf(entry(m, amd64), attEntry), m],
  ])('%s', (_, index, want) => {
    const got = layoutManifest(json(index), b.read);
    expect(got.digest).toBe(want);
    expect(got.manifest.layers).toHaveLength(2);
    expect(got.mediaType).toBe(MEDIA.ociManifest);
  });

  it('goes through an image index whose other entry is an attestation (containerd store with provenance)', () => {
    const nested = indexOf(entry(o, arm64), attEntry);
    const bb = blobs(manifest, other, attestation, nested);
    const got = layoutManifest(json(indexOf({ mediaType: MEDIA.ociIndex, digest: bb.digests[3], size: 1 })), bb.read);
    expect(got.digest).toBe(o);
    expect(got.manifest.layers).toHaveLength(1);
  });

  it.each<[string, object, RegExp]>([
    ['two platforms', indexOf(entry(m, amd64), entry(o, arm64)), /has 2 platform manifests \(linux\/amd64, linux\/arm64\/v8\).*set `platforms`/],
    ['only an attestation', indexOf(attEntry), /has 0 platform manifests \(none\)/],
  ])('refuses %s', (_, index, msg) => {
    expect(() => layoutManifest(json(index), b.read)).toThrow(msg);
  });
});

describe('rewriteManifest: the classic store save with gzip layers', () => {
  const gz = [
    { digest: sha('base.gz'), size: 40 },
    { digest: sha('app.gz'), size: 5 },
  ];
  it('keeps the config and annotations, names gzip OCI layers in order', () => {
    const out = rewriteManifest(manifest, gz);
    const doc = JSON.parse(out.bytes.toString()) as Manifest;
    expect(out.mediaType).toBe(MEDIA.ociManifest);
    expect(doc).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: manifest.config,
      layers: [
        { mediaType: MEDIA.ociLayer, digest: gz[0].digest, size: 40 },
        { mediaType: MEDIA.ociLayer, digest: gz[1].digest, size: 5, annotations: { a: 'b' } },
      ],
    });
  });
  it('turns a docker config type into the OCI one (an OCI manifest may not name a docker config)', () => {
    const doc = JSON.parse(rewriteManifest({ ...manifest, config: { ...manifest.config, mediaType: MEDIA.dockerConfig } }, gz).bytes.toString()) as Manifest;
    expect(doc.config.mediaType).toBe(MEDIA.ociConfig);
  });
  it('refuses a layer count that differs', () => {
    expect(() => rewriteManifest(manifest, gz.slice(1))).toThrow(/1 layers given for a manifest of 2/);
  });
});

describe('small pure parts', () => {
  it.each<[string, boolean]>([
    ['application/vnd.oci.image.layer.v1.tar', true],
    ['application/vnd.docker.image.rootfs.diff.tar', true],
    [MEDIA.ociLayer, false],
    [MEDIA.dockerLayer, false],
    ['application/vnd.oci.image.layer.v1.tar+zstd', false],
  ])('isUncompressedLayer(%s) = %s', (mediaType, want) => expect(isUncompressedLayer({ mediaType })).toBe(want));

  it.each<[object, string]>([
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64'], // containerd's normal form: v8 is arm64's default variant,
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
  ])('configPlatform(%o) = %s', (c, want) => expect(configPlatform(c as { os: string; architecture: string })).toBe(want));

  it('blobPath refuses what is no sha256 digest (no path out of the layout)', () => {
    expect(blobPath(sha('x'))).toBe(`blobs/sha256/${sha('x').slice(7)}`);
    expect(() => blobPath('sha256:../../etc/passwd')).toThrow(/not a sha256 digest/);
  });
});

describe('gzipFile', () => {
  it('streams the same bytes as the in-memory fixed gzip, and they unzip to the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-gz-'));
    // several MB of mixed data, so that zlib emits many chunks
    const data = Buffer.concat(Array.from({ length: 64 }, (_, i) => (i % 2 ? randomBytes(64 * 1024) : Buffer.alloc(64 * 1024, i))));
    writeFileSync(path.join(dir, 'layer.tar'), data);
    const got = await gzipFile(path.join(dir, 'layer.tar'), path.join(dir, 'layer.tar.gz'));
    const bytes = readFileSync(path.join(dir, 'layer.tar.gz'));
    const fixed = gzipFixed(data);
    expect(got).toEqual({ digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length });
    expect(bytes.equals(fixed)).toBe(true);
    expect(bytes.readUInt32LE(4)).toBe(0);
    expect(bytes[9]).toBe(0xff);
    expect(gunzipSync(bytes).equals(data)).toBe(true);
  });
});

describe('checkOnePlatform: a native leg is one platform', () => {
  const p = (platform: object) => ({ platform, manifest: other, config: {} }) as never;
  it.each<[string, { platforms: never[]; multiPlatform?: boolean }, string[], RegExp | undefined]>([
    ['a single-platform base', { platforms: [p(amd64)] }, [], undefined],
    ['an index with platforms naming one', { platforms: [p(arm64)], multiPlatform: true }, ['linux/arm64'], undefined],
    ['an index and no platforms', { platforms: [p(amd64)], multiPlatform: true }, [], /Input 'platforms': .*an index of several.*set `platforms` to the leg's platform/],
    ['two platforms', { platforms: [p(amd64), p(arm64)], multiPlatform: true }, [], /linux\/amd64, linux\/arm64\/v8/],
  ])('%s', (_, base, platforms, err) => {
    if (err) expect(() => checkOnePlatform(base, platforms)).toThrow(err);
    else expect(() => checkOnePlatform(base, platforms)).not.toThrow();
  });
});

describe('legRecord: what the leg tells the merge job', () => {
  const c = 'a'.repeat(40);
  const found = (revision: string | undefined, platforms: object[] = [arm64]) => ({ platforms, revision }) as never;
  it('takes the platform (normalised) and the commit from what the registry serves', () => {
    expect(legRecord(found(c), sha('m'), c, ['127.0.0.1:5000/x', '[::1]:5001/x'])).toEqual({ platform: 'linux/arm64', digest: sha('m'), commit: c, images: ['127.0.0.1:5000/x', '[::1]:5001/x'] });
  });
  it.each<[string, unknown, RegExp]>([
    ['another commit', found('b'.repeat(40)), /not this run's commit/],
    ['no revision label', found(undefined), /not this run's commit/],
    ['two platforms', found(c, [arm64, { os: 'linux', architecture: 'amd64' }]), /2 platforms, not one/],
    ['nothing under the digest', undefined, /does not serve/],
  ])('refuses %s', (_, f, why) => {
    expect(() => legRecord(f as never, sha('m'), c, [])).toThrow(why);
  });
});

describe('reuseSources: where compressed layers may already be', () => {
  const images = [parseImageName('127.0.0.1:5000/team/app', 'images'), parseImageName('[::1]:5001/team/app', 'images')];
  it('the base (build args put in), never what an image tag points at', () => {
    const got = reuseSources({ dockerfile: readModel('ARG BASE\nFROM ${BASE}\n', new Map([['BASE', '127.0.0.1:5000/base/jre:17']])), inputs: { images, buildArgs: [['BASE', '127.0.0.1:5000/base/jre:17']] } as never });
    expect(got).toEqual([{ registry: '127.0.0.1:5000', repository: 'base/jre', reference: '17' }]);
  });
  it('nothing without a readable base', () => {
    expect(reuseSources({ dockerfile: readModel('FROM scratch\n'), inputs: { images, buildArgs: [] } as never })).toEqual([]);
  });
});

describe('parseDistribute: a leg refuses what belongs to the merge job', () => {
  const parse = (raw: Record<string, string>) =>
    parseDistribute((n) => raw[n] ?? '', '/ws', {
      platforms: ['linux/amd64'],
      push: true,
      pushAuto: false,
      labels: [],
    });
  it.each<[Record<string, string>, string, RegExp]>([
    [{ sbom: 'true' }, 'sbom', /no SBOM or provenance of ours yet/],
    [{ provenance: 'true' }, 'provenance', /no SBOM or provenance of ours yet/],
    [{ sign: 'key' }, 'sign', /on the merge job \(merge-digests\), which signs the index/],
  ])('%o on a leg', (raw, input, why) => {
    let err: unknown;
    try {
      parse({ 'push-by-digest': 'true', ...raw });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(input);
    expect((err as Error).message).toMatch(why);
  });
  it.each<Record<string, string>>([{ 'push-by-digest': 'true', provenance: 'mode=max', sbom: 'false', sign: 'none' }, { sbom: 'true', provenance: 'true', sign: 'key' }])('accepts %o', (raw) => {
    expect(() => parse(raw)).not.toThrow();
  });
});
