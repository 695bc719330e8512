/** Rebase, the reading: the release's manifests and configs, and both bases' (the one it names, and its tag now). Never a layer. */
import { StageError } from '../errors.js';
import type { ImageConfig } from '../oci/config.js';
import { platformName, type Index, type Manifest, type Platform } from '../oci/manifest.js';
import { imageEntries, isIndex } from '../oci/media.js';
import type { RegistryClient } from '../registry/client.js';
import { parseBaseRef } from '../builders/native/base.js';
import { baseNamed, BASE_DIGEST, BASE_NAME, type ImageRead, type PlatformFacts, type ReleaseFacts } from './plan.js';

type Clients = (registry: string) => RegistryClient;

/** A manifest by digest or tag, and its config. */
async function readImage(client: RegistryClient, repo: string, ref: string): Promise<ImageRead> {
  const m = await client.getManifest(repo, ref);
  const manifest = JSON.parse(m.bytes.toString()) as Manifest;
  const config = JSON.parse((await client.getBlob(repo, manifest.config.digest, manifest.config.size)).toString()) as ImageConfig;
  return { digest: m.digest, mediaType: m.mediaType, manifest, config };
}

function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/** An image reference's image of `platform`: through its index when it is one. `top` is the digest the reference gave. */
async function platformImage(client: RegistryClient, repo: string, ref: string, platform: Platform, what: string): Promise<{ top: string; image: ImageRead }> {
  const top = await client.getManifest(repo, ref);
  if (!isIndex(top.mediaType)) {
    const image = await readImage(client, repo, top.digest);
    return { top: top.digest, image };
  }
  const entries = imageEntries((JSON.parse(top.bytes.toString()) as Index).manifests);
  // arm64 with or without v8, as registries spell it
  const hit = entries.find((d) => samePlatform(d.platform, platform)) ?? entries.find((d) => d.platform.os === platform.os && d.platform.architecture === platform.architecture);
  if (!hit) throw new StageError('rebase', `${what} has no ${platformName(platform)} image; it has ${entries.map((d) => platformName(d.platform)).join(', ') || 'none'}. Nothing was pushed.`);
  return { top: top.digest, image: await readImage(client, repo, hit.digest) };
}

function platformOf(c: ImageConfig): Platform {
  return { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) };
}

/** The refusal of a release that does not record its base: it names the fix. */
export function unknownBase(ref: string, platform: string): StageError {
  return new StageError(
    'rebase',
    `Input 'rebase': the image's base is not known: ${ref} (${platform}) has no ${BASE_NAME} and ${BASE_DIGEST} annotations. Rebuild and push it once with this version of the action, which records them on every build; then rebase it. Nothing was pushed.`,
  );
}

/** The base a platform names: the old one by its digest, and the base name's image now; both of that platform. */
async function baseFacts(clients: Clients, ref: string, platform: Platform, image: ImageRead, indexAnnotations: Record<string, string> | undefined): Promise<PlatformFacts> {
  const base = baseNamed(image.manifest.annotations, indexAnnotations);
  if (!base) throw unknownBase(ref, platformName(platform));
  const b = parseBaseRef(base.name);
  const client = clients(b.registry);
  const old = await platformImage(client, b.repository, base.digest, platform, `the old base ${b.name}@${base.digest}`).catch((e: unknown) => {
    if (e instanceof StageError) throw e;
    throw new StageError('rebase', `The base ${ref} was built on, ${b.name}@${base.digest}, cannot be read (${(e as Error).message}); without it the application layers cannot be told apart. Nothing was pushed.`);
  });
  // a name pinned by digest never moves: rebasing it onto itself is a skip
  const now = await platformImage(client, b.repository, b.reference, platform, `the base ${base.name}`);
  return { platform, image, base, oldBase: old.image, newBase: now.image, newBaseTop: now.top };
}

/** The release a tag points at, with each platform's bases: everything the plan needs, read before any write. */
export async function readRelease(clients: Clients, registry: string, repo: string, tag: string, name: string): Promise<ReleaseFacts> {
  const ref = `${name}:${tag}`;
  const client = clients(registry);
  const top = await client.getManifest(repo, tag);
  if (!isIndex(top.mediaType)) {
    const image = await readImage(client, repo, top.digest);
    return { ref, digest: top.digest, platforms: [await baseFacts(clients, ref, platformOf(image.config), image, undefined)] };
  }
  const body = JSON.parse(top.bytes.toString()) as Index;
  const platforms: PlatformFacts[] = [];
  for (const d of imageEntries(body.manifests)) {
    const image = await readImage(client, repo, d.digest);
    platforms.push(await baseFacts(clients, ref, d.platform, image, body.annotations));
  }
  if (!platforms.length) throw new StageError('rebase', `${ref} is an index without any platform image. Nothing was pushed.`);
  return { ref, digest: top.digest, index: { mediaType: top.mediaType, body }, platforms };
}
