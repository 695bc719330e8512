/** Bases for the rebase tests: a copy of the CI base in a repository of the test's own, and a "patched" one on top. */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RegistryClient } from '../../src/registry/client.ts';
import { digestOf } from '../../src/oci/digest.ts';
import { gzipFixed } from '../../src/oci/gzip.ts';
import { sha256, writeTar } from '../../src/oci/tar.ts';
import { isIndex, MEDIA } from '../../src/oci/media.ts';
import type { Index, Manifest } from '../../src/oci/manifest.ts';
import type { ImageConfig } from '../../src/oci/config.ts';

const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';

const noData = (): never => {
  throw new Error('a blob the test meant to mount was not mountable');
};

export interface ReadImage {
  digest: string;
  mediaType: string;
  manifest: Manifest;
  config: ImageConfig;
}

export async function readManifest(c: RegistryClient, repo: string, ref: string): Promise<ReadImage> {
  const m = await c.getManifest(repo, ref);
  const manifest = JSON.parse(m.bytes.toString()) as Manifest;
  const config = JSON.parse((await c.getBlob(repo, manifest.config.digest)).toString()) as ImageConfig;
  return { digest: m.digest, mediaType: m.mediaType, manifest, config };
}

/** The children of an index (or the one manifest) a reference names, with the top digest. */
export async function readTop(c: RegistryClient, repo: string, ref: string): Promise<{ digest: string; mediaType: string; index?: Index; images: ReadImage[] }> {
  const top = await c.getManifest(repo, ref);
  if (!isIndex(top.mediaType)) return { digest: top.digest, mediaType: top.mediaType, images: [await readManifest(c, repo, top.digest)] };
  const index = JSON.parse(top.bytes.toString()) as Index;
  const images: ReadImage[] = [];
  for (const d of index.manifests.filter((m) => m.platform?.os !== 'unknown')) images.push(await readManifest(c, repo, d.digest));
  return { digest: top.digest, mediaType: top.mediaType, index, images };
}

/** Copies `from:ref` (an index or a manifest) into `to:tag` on the same registry: every blob mounted, never uploaded. */
export async function copyImage(c: RegistryClient, from: string, ref: string, to: string, tag: string): Promise<string> {
  const top = await c.getManifest(from, ref);
  const children = isIndex(top.mediaType) ? (JSON.parse(top.bytes.toString()) as Index).manifests.map((d) => d.digest) : [top.digest];
  for (const digest of children) {
    const m = await c.getManifest(from, digest);
    const body = JSON.parse(m.bytes.toString()) as Manifest;
    for (const b of [body.config, ...body.layers]) await c.pushBlob(to, b, noData, [from]);
    await c.putManifest(to, digest, m.mediaType, m.bytes);
  }
  await c.putManifest(to, top.digest, top.mediaType, top.bytes);
  await c.putManifest(to, tag, top.mediaType, top.bytes);
  return top.digest;
}

/**
 * The patched base: each platform of `repo:tag` plus one small layer (/etc/base-patch), Env BASE_PATCH and the
 * JAVA_HOME-like BASE_LEVEL moved, pushed under the same tag. Returns the new top digest.
 */
export async function patchBase(c: RegistryClient, repo: string, tag: string, marker: string): Promise<string> {
  const old = await readTop(c, repo, tag);
  const entries: { mediaType: string; digest: string; size: number }[] = [];
  for (const img of old.images) {
    const tar = writeTar([{ path: 'etc/base-patch', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, data: Buffer.from(`${marker} ${img.config.architecture}\n`) }]);
    const gz = gzipFixed(tar);
    const layer = { mediaType: MEDIA.ociLayer, digest: digestOf(gz), size: gz.length };
    await c.pushBlob(repo, layer, () => gz);
    const env = (img.config.config?.Env ?? []).filter((e) => !e.startsWith('BASE_LEVEL='));
    const config: ImageConfig = {
      ...img.config,
      config: { ...img.config.config, Env: [...env, `BASE_LEVEL=${marker}`] },
      rootfs: { type: 'layers', diff_ids: [...img.config.rootfs.diff_ids, sha256(tar)] },
      history: [...(img.config.history ?? []), { created: '2026-11-02T00:00:00Z', created_by: `patch ${marker}` }],
    };
    const cBytes = Buffer.from(JSON.stringify(config));
    await c.pushBlob(repo, { digest: digestOf(cBytes), size: cBytes.length }, () => cBytes);
    const manifest: Manifest = { ...img.manifest, config: { ...img.manifest.config, digest: digestOf(cBytes), size: cBytes.length }, layers: [...img.manifest.layers, layer] };
    const mBytes = Buffer.from(JSON.stringify(manifest));
    await c.putManifest(repo, digestOf(mBytes), img.mediaType, mBytes);
    entries.push({ mediaType: img.mediaType, digest: digestOf(mBytes), size: mBytes.length });
  }
  if (!old.index) {
    const only = entries[0];
    const bytes = (await c.getManifest(repo, only.digest)).bytes;
    await c.putManifest(repo, tag, only.mediaType, bytes);
    return only.digest;
  }
  const index: Index = { ...old.index, manifests: old.index.manifests.map((d, i) => ({ ...d, ...entries[i] })) };
  const iBytes = Buffer.from(JSON.stringify(index));
  await c.putManifest(repo, digestOf(iBytes), old.mediaType, iBytes);
  await c.putManifest(repo, tag, old.mediaType, iBytes);
  return digestOf(iBytes);
}

/** Whether the release a tag points at records its base (the builds of this version do). */
export async function recordsBase(c: RegistryClient, repo: string, tag: string): Promise<boolean> {
  const top = await readTop(c, repo, tag);
  return top.images.every((i) => i.manifest.annotations?.[BASE_NAME] && i.manifest.annotations[BASE_DIGEST]);
}

/** The same image with the base annotations taken off every manifest and the index, under `tag`: a release of an older version. */
export async function withoutBase(c: RegistryClient, repo: string, fromTag: string, tag: string): Promise<string> {
  const top = await readTop(c, repo, fromTag);
  const strip = (a?: Record<string, string>): Record<string, string> | undefined => {
    const rest = Object.fromEntries(Object.entries(a ?? {}).filter(([k]) => k !== BASE_NAME && k !== BASE_DIGEST));
    return Object.keys(rest).length ? rest : undefined;
  };
  const digests = new Map<string, { digest: string; size: number }>();
  for (const img of top.images) {
    const m: Manifest = { ...img.manifest, annotations: strip(img.manifest.annotations) };
    if (!m.annotations) delete m.annotations;
    const bytes = Buffer.from(JSON.stringify(m));
    await c.putManifest(repo, digestOf(bytes), img.mediaType, bytes);
    digests.set(img.digest, { digest: digestOf(bytes), size: bytes.length });
  }
  if (!top.index) {
    const only = [...digests.values()][0];
    const bytes = (await c.getManifest(repo, only.digest)).bytes;
    await c.putManifest(repo, tag, top.mediaType, bytes);
    return only.digest;
  }
  const index: Index = { ...top.index, manifests: top.index.manifests.filter((d) => digests.has(d.digest)).map((d) => ({ ...d, ...digests.get(d.digest)! })), annotations: strip(top.index.annotations) };
  if (!index.annotations) delete index.annotations;
  const bytes = Buffer.from(JSON.stringify(index));
  await c.putManifest(repo, tag, top.mediaType, bytes);
  return digestOf(bytes);
}

/**
 * A base recorded by hand (a release that claims another base than it was built on), as the builds record it:
 * each platform manifest gets base.name and that platform's base manifest digest, the index the digest the
 * base's reference resolved to (`base.digest` of `readTop`); the tag moves there.
 */
export async function recordBaseByHand(c: RegistryClient, repo: string, tag: string, baseName: string, base: { digest: string; images: ReadImage[] }): Promise<void> {
  const top = await readTop(c, repo, tag);
  const digests = new Map<string, { digest: string; size: number }>();
  for (const img of top.images) {
    const own = base.images.find((b) => b.config.architecture === img.config.architecture)?.digest ?? base.digest;
    const bytes = Buffer.from(JSON.stringify({ ...img.manifest, annotations: { ...img.manifest.annotations, [BASE_NAME]: baseName, [BASE_DIGEST]: own } }));
    await c.putManifest(repo, digestOf(bytes), img.mediaType, bytes);
    digests.set(img.digest, { digest: digestOf(bytes), size: bytes.length });
  }
  if (!top.index) {
    const only = [...digests.values()][0];
    await c.putManifest(repo, tag, top.mediaType, (await c.getManifest(repo, only.digest)).bytes);
    return;
  }
  const annotations = { ...top.index.annotations, [BASE_NAME]: baseName, [BASE_DIGEST]: base.digest };
  const index: Index = { ...top.index, manifests: top.index.manifests.filter((d) => digests.has(d.digest)).map((d) => ({ ...d, ...digests.get(d.digest)! })), annotations };
  await c.putManifest(repo, tag, top.mediaType, Buffer.from(JSON.stringify(index)));
}

/** A project whose `mvnw` and whose PATH's `mvn` write `called` into `marker` and fail: a build tool that must not run. */
export function buildToolTrap(dir: string): { marker: string; bin: string } {
  const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-trap-')), 'called');
  const script = `#!/bin/sh\necho "$0 $*" >> '${marker}'\necho "the build tool ran during a rebase" >&2\nexit 97\n`;
  const bin = mkdtempSync(path.join(os.tmpdir(), 'ip-trap-bin-'));
  for (const f of [path.join(dir, 'mvnw'), path.join(bin, 'mvn'), path.join(bin, 'gradle')]) {
    writeFileSync(f, script);
    chmodSync(f, 0o755);
  }
  return { marker, bin };
}
