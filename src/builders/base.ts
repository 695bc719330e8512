import { DOCKER_HUB } from '../oci/name.js';
import { normalPlatformName } from '../oci/manifest.js';
import type { BaseImage } from './native/base.js';
import { parseBaseRef } from './native/base.js';

/**
 * The base image a build stood on, as the builder resolved it (never read again from the Dockerfile): what the
 * image's base annotations, the SBOM and the provenance record, and what `rebase` starts from.
 */
export interface ResolvedBase {
  /** The reference as the Dockerfile names it (ARGs expanded), fully qualified: `127.0.0.1:5000/base/jre:17`, `docker.io/library/eclipse-temurin:17`. */
  name: string;
  /** The digest `name` resolved to when the build read it: the index's for a multi-platform base, else the manifest's. */
  digest: string;
  /** Per built platform ("linux/amd64", normalised as containerd does): the base's manifest digest for it, and its config digest. */
  platforms: { platform: string; digest: string; config: string }[];
}

export const BASE_NAME = 'org.opencontainers.image.base.name';
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';

/** A base reference written fully: registry, repository, then the tag or digest it was named by. Pure. */
export function qualifiedBaseName(ref: string): string {
  const b = parseBaseRef(ref);
  const registry = b.registry === DOCKER_HUB ? 'docker.io' : b.registry;
  return `${registry}/${b.repository}${b.reference.startsWith('sha256:') ? '@' : ':'}${b.reference}`;
}

/** The base as read from the registry, for the built platforms. Pure. */
export function resolvedBase(ref: string, base: Pick<BaseImage, 'digest' | 'platforms'>): ResolvedBase {
  return {
    name: qualifiedBaseName(ref),
    digest: base.digest,
    platforms: base.platforms.map((p) => ({ platform: normalPlatformName(p.platform), digest: p.digest, config: p.manifest.config.digest })),
  };
}

/**
 * The OCI base annotations (image-spec annotations.md): on a platform's manifest, the base manifest of that platform
 * (the image sharing its first layers); on the index, the digest the base's reference resolved to. Pure.
 */
export function baseAnnotations(base: ResolvedBase, platform?: string): Record<string, string> {
  const own = platform === undefined ? undefined : base.platforms.find((p) => p.platform === platform);
  return { [BASE_NAME]: base.name, [BASE_DIGEST]: own?.digest ?? base.digest };
}

/**
 * The name BuildKit looks a FROM up by among named build contexts: the familiar form, without `docker.io/`,
 * `library/` or `:latest` (dockerui's NamedContext normalises so). Pure.
 */
export function familiarName(ref: string): string {
  const b = parseBaseRef(ref);
  const path = b.registry === DOCKER_HUB ? b.repository.replace(/^library\//, '') : `${b.registry}/${b.repository}`;
  if (b.reference.startsWith('sha256:')) return `${path}@${b.reference}`;
  return b.reference === 'latest' ? path : `${path}:${b.reference}`;
}

/**
 * BuildKit's flags for a base resolved before the build: the FROM pinned to the digest read (`--build-context`
 * `<name>=docker-image://<name>@<digest>`), so the image is built on exactly what is recorded, and the base
 * annotations on each manifest (and the index, for several platforms). Pure.
 */
export function buildKitBaseArgs(base: ResolvedBase, multi: boolean): string[] {
  const pinned = base.name.includes('@') ? [] : ['--build-context', `${familiarName(base.name)}=docker-image://${base.name.replace(/:[^:/]+$/, '')}@${base.digest}`];
  const out = [...pinned];
  for (const p of base.platforms) {
    const where = multi ? `manifest[${p.platform}]` : 'manifest';
    for (const [k, v] of Object.entries(baseAnnotations(base, p.platform))) out.push('--annotation', `${where}:${k}=${v}`);
  }
  if (multi) for (const [k, v] of Object.entries(baseAnnotations(base))) out.push('--annotation', `index:${k}=${v}`);
  return out;
}
