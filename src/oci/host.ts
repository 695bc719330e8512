import { InputError } from '../errors.js';
import { canonicalRegistry, isRegistryHost } from './name.js';

/** Throws unless `host` follows the grammar: for the places that hand a name to the engine or the file system. */
export function assertRegistryHost(host: string): string {
  if (!isRegistryHost(host)) throw new Error(`"${host}" is not a registry host[:port]`);
  return host;
}

/**
 * A registry as a user writes it (`ghcr.io`, `https://ghcr.io/v2/`, `127.0.0.1:5000`, `[::1]:5001`), as its canonical
 * host. A path after the host is dropped with a warning (a login is per host); anything that is not a host is refused,
 * naming `input`. Pure.
 */
export function parseRegistry(raw: string, input: string, warn: (m: string) => void = () => undefined): string {
  const given = raw.trim();
  const bare = given.replace(/^https?:\/\//i, '').replace(/\/v[12]\/?$/, '').replace(/\/$/, '');
  const slash = bare.indexOf('/');
  const host = slash < 0 ? bare : bare.slice(0, slash);
  if ((host !== '' || slash >= 0) && !isRegistryHost(host)) {
    throw new InputError(input, `"${given}" is not a registry: write a host with an optional port, e.g. ghcr.io, registry.example.com:5000, 127.0.0.1:5000 or [::1]:5000.`);
  }
  if (slash >= 0) warn(`Input '${input}': "${given}" has a path; a login holds for the whole registry, so ${canonicalRegistry(host)} is used and "${bare.slice(slash)}" is ignored.`);
  return canonicalRegistry(host);
}
