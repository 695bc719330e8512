import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publishFromBuilder } from '../../../../src/builders/buildkit/builder-push.js';
import type { RegistryClient } from '../../../../src/registry/client.js';
import { parseImageName } from '../../../../src/oci/name.js';
import { publishTargets } from '../../../../src/targets.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: 'sha256:c', size: 2 }, layers: [{ size: 100 }, { size: 20 }] }));
const DIGEST = sha(manifest);
const MT = 'application/vnd.oci.image.manifest.v1+json';

/** An in-memory registry per host: what each holds by digest, and every call in order. */
function fakeRegistries(holding: Record<string, boolean>, answer: (ref: string) => string = () => DIGEST) {
  const calls: string[] = [];
  const client = (registry: string): RegistryClient =>
    ({
      getManifest: async (repo: string, ref: string) => {
        calls.push(`GET ${registry}/${repo}@${ref}`);
        if (!holding[registry] || ref !== DIGEST) throw new Error('manifest unknown (404)');
        return { mediaType: MT, digest: DIGEST, bytes: manifest };
      },
      putManifest: async (repo: string, ref: string, mediaType: string, bytes: Buffer) => {
        calls.push(`PUT ${registry}/${repo}:${ref} ${mediaType} ${sha(bytes)}`);
        return answer(ref);
      },
    }) as unknown as RegistryClient;
  return { client, calls };
}

const images = [parseImageName('ghcr.io/acme/app', 'images'), parseImageName('127.0.0.1:5000/acme/app', 'images')];
const targets = publishTargets(images, ['1.2', 'latest']);
const refs = ['ghcr.io/acme/app:1.2', 'ghcr.io/acme/app:latest', '127.0.0.1:5000/acme/app:1.2', '127.0.0.1:5000/acme/app:latest'];

describe('after the builder pushed by digest', () => {
  it('tags: checks every registry first, then PUTs the same manifest bytes under each tag', async () => {
    const r = fakeRegistries({ 'ghcr.io': true, '127.0.0.1:5000': true });
    const out = await publishFromBuilder(r.client, targets, DIGEST, 'tags', () => undefined);
    expect(r.calls).toEqual([
      `GET ghcr.io/acme/app@${DIGEST}`,
      `GET 127.0.0.1:5000/acme/app@${DIGEST}`,
      `PUT ghcr.io/acme/app:1.2 ${MT} ${DIGEST}`,
      `PUT ghcr.io/acme/app:latest ${MT} ${DIGEST}`,
      `PUT 127.0.0.1:5000/acme/app:1.2 ${MT} ${DIGEST}`,
      `PUT 127.0.0.1:5000/acme/app:latest ${MT} ${DIGEST}`,
    ]);
    expect(out.pushes.map((p) => [p.ref, p.image.name, p.tag, p.digest])).toEqual(refs.map((ref) => [ref, ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1), DIGEST]));
    expect(out.results.map((x) => x.targets.map((t) => [t.image.name, t.tags]))).toEqual([[['ghcr.io/acme/app', ['1.2', 'latest']]], [['127.0.0.1:5000/acme/app', ['1.2', 'latest']]]]);
    expect(out.results.map((x) => [x.registry, x.pushed, x.refs.length, x.error])).toEqual([
      ['ghcr.io', true, 2, undefined],
      ['127.0.0.1:5000', true, 2, undefined],
    ]);
    expect(out.stats).toEqual({ bytes: 120, layers: 2, compressed: true });
  });

  it('tags: a registry without the manifest means no tag anywhere, and both registries are reported', async () => {
    const r = fakeRegistries({ 'ghcr.io': true, '127.0.0.1:5000': false });
    const out = await publishFromBuilder(r.client, targets, DIGEST, 'tags', () => undefined);
    expect(r.calls.filter((c) => c.startsWith('PUT'))).toEqual([]);
    expect(out.pushes).toEqual([]);
    expect(out.results.map((x) => [x.registry, x.pushed])).toEqual([
      ['ghcr.io', false],
      ['127.0.0.1:5000', false],
    ]);
    expect(out.results[1].error).toMatch(/127\.0\.0\.1:5000\/acme\/app@sha256:.*manifest unknown/);
    expect(out.results[0].error).toMatch(/no tag written: 127\.0\.0\.1:5000 lacks the manifest/);
  });

  it('tags: a registry that answers another digest for a tag fails that registry', async () => {
    const r = fakeRegistries({ 'ghcr.io': true, '127.0.0.1:5000': true }, () => 'sha256:other');
    const out = await publishFromBuilder(r.client, targets.slice(0, 1), DIGEST, 'tags', () => undefined);
    expect(out.pushes).toEqual([]);
    expect(out.results[0]).toMatchObject({ registry: 'ghcr.io', pushed: false, error: expect.stringContaining('answered digest sha256:other') as string });
  });

  it('digest: nothing more is written; the pushes are <image>@<digest>, one per image', async () => {
    const r = fakeRegistries({ 'ghcr.io': true, '127.0.0.1:5000': true });
    const out = await publishFromBuilder(r.client, targets, DIGEST, 'digest', () => undefined);
    expect(r.calls.every((c) => c.startsWith('GET'))).toBe(true);
    expect(out.pushes).toEqual(images.map((image) => ({ ref: `${image.name}@${DIGEST}`, image, digest: DIGEST, attempts: 1 })));
    expect(out.results.every((x) => x.pushed)).toBe(true);
  });
});
