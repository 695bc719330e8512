import { isIPv6 } from 'node:net';
import { InputError } from '../errors.js';

export const DOCKER_HUB = 'docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

// distribution/reference: domain-component ("." domain-component)* | "[" IPv6 "]", then an optional ":" port
const HOST_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;

/** True when `host` is a registry host[:port] by the reference grammar, and nothing else (no path, flag or space). Pure. */
export function isRegistryHost(host: string): boolean {
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return false;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return false;
  const name = m[1];
  if (name.startsWith('[')) return isIPv6(name.slice(1, -1));
  return name.length <= 253 && HOST_NAME.test(name);
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export interface ImageName {
  /** The name as tags are written with it (lowercased, otherwise as the user wrote it). */
  name: string;
  /** Canonical registry host: docker.io for Docker Hub and its aliases. */
  registry: string;
  /** Repository path inside the registry (library/ added for official Docker Hub images). */
  repository: string;
  /** True when the user's spelling had upper-case letters that were lowered. */
  lowered: boolean;
}

/** One registry, whichever way it is spelled: '' and the Docker Hub aliases are docker.io. */
export function canonicalRegistry(raw: string): string {
  const host = raw
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/v[12]\/?$/, '')
    .replace(/\/$/, '')
    .toLowerCase();
  return host === '' || HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

function looksLikeDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/** Parses an image name as Docker does; `input` names the input to blame. */
export function parseImageName(raw: string, input: string): ImageName {
  const given = raw.trim();
  const fail = (why: string): never => {
    throw new InputError(input, `"${given}" is not a valid image name: ${why}. Write it like acme/app, ghcr.io/owner/app or 127.0.0.1:5000/team/app.`);
  };
  if (given === '') fail('it is empty');
  if (given.includes('@')) fail('a digest does not belong in an image name');
  const parts = given.split('/');
  let domain: string | undefined;
  if (parts.length > 1 && looksLikeDomain(parts[0])) {
    domain = parts.shift();
    if (!isRegistryHost(domain!)) fail(`"${domain}" is not a registry host`);
  }
  const last = parts[parts.length - 1];
  if (/:/.test(last)) fail('tags go in the `tags` input, not in the image name');
  const lowered = parts.some((p) => p !== p.toLowerCase());
  const path = parts.map((p) => p.toLowerCase());
  for (const p of path) {
    if (!COMPONENT.test(p)) {
      fail(`the path component "${p}" may only hold lowercase letters, digits and single separators ('.', '_', '__', '-') between them`);
    }
  }
  const registry = canonicalRegistry(domain ?? '');
  const repository = registry === DOCKER_HUB && path.length === 1 ? `library/${path[0]}` : path.join('/');
  const name = domain ? `${domain.toLowerCase()}/${path.join('/')}` : path.join('/');
  if (name.length > 255) fail('it is longer than 255 characters');
  return { name, registry, repository, lowered };
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** `name` and `tag` of a pushed reference `name:tag` (a digest after `@` is dropped first). Pure. */
export function splitRef(ref: string): { name: string; tag: string } {
  const bare = ref.replace(/@sha256:[0-9a-f]+$/, '');
  const m = /^(.*):([^:/]+)$/.exec(bare);
  return m ? { name: m[1], tag: m[2] } : { name: bare, tag: '' };
}
