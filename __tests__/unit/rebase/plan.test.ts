import { describe, expect, it } from 'vitest';
import type { ImageConfig } from '../../../src/oci/config.js';
import { digestOf } from '../../../src/oci/digest.js';
import type { Index, Manifest, Platform } from '../../../src/oci/manifest.js';
import { ATTESTATION_MANIFEST, MEDIA, REFERENCE_DIGEST, REFERENCE_TYPE } from '../../../src/oci/media.js';
import { BASE_DIGEST, BASE_NAME, baseNamed, planRebase, prefixProblem, type ImageRead, type PlatformFacts, type ReleaseFacts } from '../../../src/rebase/plan.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const layer = (c: string, size = 100): Manifest['layers'][number] => ({ mediaType: MEDIA.ociLayer, digest: d(c), size });
const AMD: Platform = { os: 'linux', architecture: 'amd64' };
const ARM: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };

/** An image of these layers (blob digest char, diff_id char), its history one entry a layer. */
function image(layers: [string, string][], opts: { config?: ImageConfig['config']; annotations?: Record<string, string>; platform?: Platform; history?: number } = {}): ImageRead {
  const p = opts.platform ?? AMD;
  const config: ImageConfig = {
    architecture: p.architecture,
    os: p.os,
    ...(p.variant ? { variant: p.variant } : {}),
    created: '2026-11-01T12:00:00Z',
    config: opts.config ?? {},
    rootfs: { type: 'layers', diff_ids: layers.map(([, id]) => d(id)) },
    history: Array.from({ length: opts.history ?? layers.length }, (_, i) => ({ created_by: `step ${layers[i]?.[0] ?? i}` })),
  };
  const manifest: Manifest = { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest: digestOf(Buffer.from(JSON.stringify(config))), size: 1 }, layers: layers.map(([c]) => layer(c)), ...(opts.annotations ? { annotations: opts.annotations } : {}) };
  return { digest: digestOf(Buffer.from(JSON.stringify(manifest))), mediaType: MEDIA.ociManifest, manifest, config };
}

const BASE_ENV = { Env: ['PATH=/usr/bin', 'JAVA_HOME=/opt/java/17.0.1'], Labels: { 'org.opencontainers.image.version': '22.04' } };
const NEW_ENV = { Env: ['PATH=/usr/bin', 'JAVA_HOME=/opt/java/17.0.9'], Labels: { 'org.opencontainers.image.version': '22.04.5' } };
const oldBase = image([['a', '1'], ['b', '2']], { config: BASE_ENV });
const newBase = image([['a', '1'], ['b', '2'], ['c', '3']], { config: NEW_ENV });
const APP_CONFIG = { Env: ['PATH=/usr/bin', 'JAVA_HOME=/opt/java/17.0.1', 'APP=1'], Labels: { 'org.opencontainers.image.version': '1.2.3' }, Entrypoint: ['java', '-jar', 'app.jar'], WorkingDir: '/app' };
const named = { [BASE_NAME]: 'reg.test/base/jre:17', [BASE_DIGEST]: oldBase.digest };
const app = image([['a', '1'], ['b', '2'], ['x', '8'], ['y', '9']], { config: APP_CONFIG, annotations: named });

function facts(over: Partial<PlatformFacts> = {}): PlatformFacts {
  return { platform: AMD, image: app, base: { name: named[BASE_NAME], digest: named[BASE_DIGEST] }, oldBase, newBase, newBaseTop: newBase.digest, ...over };
}
const release = (platforms: PlatformFacts[], index?: ReleaseFacts['index']): ReleaseFacts => ({ ref: 'reg.test/acme/app:1.2.3', digest: d('f'), platforms, index });

describe('baseNamed: what the image says it was built on', () => {
  it.each<[string, Record<string, string> | undefined, Record<string, string> | undefined, ReturnType<typeof baseNamed>]>([
    ['on the manifest', named, undefined, { name: 'reg.test/base/jre:17', digest: oldBase.digest }],
    ['only on the index', undefined, named, { name: 'reg.test/base/jre:17', digest: oldBase.digest }],
    ['the name without the digest', { [BASE_NAME]: 'x' }, undefined, undefined],
    ['nothing', undefined, undefined, undefined],
  ])('%s', (_, own, index, want) => expect(baseNamed(own, index)).toEqual(want));
});

describe('prefixProblem: the old base must be the first layers, in the manifest and in the config', () => {
  it.each<[string, ImageRead, string | undefined]>([
    ['a native-builder image: base layers first', app, undefined],
    ['a layer of the base missing', image([['a', '1'], ['x', '8']]), "the base's 2 layers are not the first layers of its manifest"],
    ['the base layers in another order', image([['b', '2'], ['a', '1'], ['x', '8']]), "the base's 2 layers are not the first layers of its manifest"],
    ['same blobs, other diff_ids (a config that lies)', image([['a', '1'], ['b', '7'], ['x', '8']]), "the base's diff_ids are not the first diff_ids of its config"],
    ['the image is the base itself minus a layer', image([['a', '1']]), "the base's 2 layers are not the first layers of its manifest"],
    ['a history shorter than the base', image([['a', '1'], ['b', '2'], ['x', '8']], { history: 1 }), "its history is shorter than its base's"],
  ])('%s', (_, img, want) => expect(prefixProblem(img, oldBase)).toBe(want));

  it('a manifest and config that disagree on the count', () => {
    const img = image([['a', '1'], ['b', '2']]);
    img.config.rootfs.diff_ids.push(d('9'));
    expect(prefixProblem(img, oldBase)).toBe('its manifest has 2 layers but its config 3 diff_ids');
  });
});

describe('planRebase', () => {
  it('skips when every platform is on the base it was built on', () => {
    expect(planRebase(release([facts({ newBase: oldBase, newBaseTop: oldBase.digest })]))).toEqual({ kind: 'skip', reason: `the base reg.test/base/jre:17 (${oldBase.digest}) gives every platform the image it was built on` });
  });

  it('refuses an image whose base is not a prefix, before anything, naming the platform', () => {
    const bad = image([['q', '5'], ['x', '8']], { annotations: named });
    expect(planRebase(release([facts({ image: bad })]))).toEqual({ problems: [`reg.test/acme/app:1.2.3 (linux/amd64): the base's 2 layers are not the first layers of its manifest, so its application layers cannot be told from its base's; it can only be rebuilt.`] });
  });

  it('one platform: the new base layers, then the same application layers; the annotation moves to the new digest', () => {
    const plan = planRebase(release([facts()]));
    if (!('kind' in plan) || plan.kind !== 'rebase') throw new Error(JSON.stringify(plan));
    const [p] = plan.platforms;
    const m = JSON.parse(p.manifest.bytes.toString()) as Manifest;
    expect(m.layers.map((l) => l.digest)).toEqual([d('a'), d('b'), d('c'), d('x'), d('y')]);
    expect(p.appLayers.map((l) => l.digest)).toEqual([d('x'), d('y')]);
    expect(m.annotations).toEqual({ [BASE_NAME]: 'reg.test/base/jre:17', [BASE_DIGEST]: newBase.digest });
    expect(m.config).toEqual({ mediaType: MEDIA.ociConfig, digest: p.config.digest, size: p.config.bytes.length });
    expect(p.manifest.digest).toBe(digestOf(p.manifest.bytes));
    const c = JSON.parse(p.config.bytes.toString()) as ImageConfig;
    expect(c.rootfs.diff_ids).toEqual([d('1'), d('2'), d('3'), d('8'), d('9')]);
    expect(c.history?.map((h) => h.created_by)).toEqual(['step a', 'step b', 'step c', 'step x', 'step y']);
    // inherited from the base → the new base's; set by the app → the app's
    expect(c.config).toEqual({ Env: ['PATH=/usr/bin', 'JAVA_HOME=/opt/java/17.0.9', 'APP=1'], Labels: { 'org.opencontainers.image.version': '1.2.3' }, Entrypoint: ['java', '-jar', 'app.jar'], WorkingDir: '/app' });
    expect(c.created).toBe('2026-11-01T12:00:00Z');
    expect(plan.top).toBe(p.manifest);
    expect(plan.index).toBeUndefined();
  });

  it('is deterministic: the same inputs give the same digests', () => {
    const a = planRebase(release([facts()]));
    const b = planRebase(release([facts()]));
    expect('top' in a && a.top.digest).toBe('top' in b && b.top.digest);
  });

  it('an index digest in the annotation gives the new index digest; a platform digest the new platform digest', () => {
    const viaIndex = planRebase(release([facts({ base: { name: 'n', digest: d('e') }, newBaseTop: d('9') })]));
    const viaPlatform = planRebase(release([facts()]));
    const ann = (p: typeof viaIndex): string | undefined => ('top' in p ? (JSON.parse(p.top.bytes.toString()) as Manifest).annotations?.[BASE_DIGEST] : undefined);
    expect(ann(viaIndex)).toBe(d('9'));
    expect(ann(viaPlatform)).toBe(newBase.digest);
  });

  it('multi-arch: every platform rebased, a new index with the same annotations and entries, attestations left out', () => {
    const armOld = image([['m', '4']], { platform: ARM });
    const armNew = image([['n', '5']], { platform: ARM });
    const armApp = image([['m', '4'], ['x', '8'], ['y', '9']], { platform: ARM, annotations: named, config: {} });
    const index: Index = {
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        { mediaType: MEDIA.ociManifest, digest: app.digest, size: 10, platform: AMD },
        { mediaType: MEDIA.ociManifest, digest: armApp.digest, size: 10, platform: ARM, annotations: { keep: 'me' } },
        { mediaType: MEDIA.ociManifest, digest: d('7'), size: 10, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { [REFERENCE_TYPE]: ATTESTATION_MANIFEST, [REFERENCE_DIGEST]: app.digest } },
      ],
      annotations: { [BASE_NAME]: 'reg.test/base/jre:17', [BASE_DIGEST]: d('e'), 'org.opencontainers.image.revision': 'abc' },
    };
    const plan = planRebase(release([facts({ newBaseTop: d('9') }), facts({ platform: ARM, image: armApp, oldBase: armOld, newBase: armNew, newBaseTop: d('9') })], { mediaType: MEDIA.ociIndex, body: index }));
    if (!('kind' in plan) || plan.kind !== 'rebase') throw new Error(JSON.stringify(plan));
    const out = JSON.parse(plan.index!.bytes.toString()) as Index;
    expect(plan.top).toBe(plan.index);
    expect(out.annotations).toEqual({ [BASE_NAME]: 'reg.test/base/jre:17', [BASE_DIGEST]: d('9'), 'org.opencontainers.image.revision': 'abc' });
    expect(out.manifests).toEqual(plan.platforms.map((p, i) => ({ mediaType: MEDIA.ociManifest, digest: p.manifest.digest, size: p.manifest.bytes.length, platform: [AMD, ARM][i], ...(i === 1 ? { annotations: { keep: 'me' } } : {}) })));
    const arm = JSON.parse(plan.platforms[1].manifest.bytes.toString()) as Manifest;
    expect(arm.layers.map((l) => l.digest)).toEqual([d('n'), d('x'), d('y')]);
    expect(plan.notes.at(-1)).toBe('1 attestation manifest(s) of the old image are left out of the new index; they describe the old digest.');
  });

  it('multi-arch with one platform unchanged: its config and layers stay, only the annotation moves', () => {
    const armOld = image([['m', '4']], { platform: ARM });
    const armApp = image([['m', '4'], ['x', '8']], { platform: ARM, annotations: named });
    const index: Index = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.ociManifest, digest: app.digest, size: 1, platform: AMD }, { mediaType: MEDIA.ociManifest, digest: armApp.digest, size: 1, platform: ARM }] };
    const plan = planRebase(release([facts(), facts({ platform: ARM, image: armApp, oldBase: armOld, newBase: armOld })], { mediaType: MEDIA.ociIndex, body: index }));
    if (!('kind' in plan) || plan.kind !== 'rebase') throw new Error(JSON.stringify(plan));
    expect(plan.platforms[1].unchanged).toBe(true);
    expect(JSON.parse(plan.platforms[1].config.bytes.toString())).toEqual(armApp.config);
    expect((JSON.parse(plan.platforms[1].manifest.bytes.toString()) as Manifest).layers).toEqual(armApp.manifest.layers);
    expect(JSON.parse(plan.index!.bytes.toString())).not.toHaveProperty('annotations');
  });
});
