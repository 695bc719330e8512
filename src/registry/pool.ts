import type { DockerConfig } from '../engine/docker-config.js';
import type { RegistryLogin } from '../inputs/registry-auth.js';
import { canonicalRegistry } from '../oci/name.js';
import type { RetryPolicy } from '../retry/retry.js';
import { RegistryClient } from './client.js';
import { credentialsFor } from './credentials.js';

/** How the run reaches registries, worked out once before the first side effect: the job holds it. */
export interface RegistryAccess {
  /** The inputs' logins: credentials, and the CA each registry is trusted with. */
  logins: readonly RegistryLogin[];
  /** Registries spoken to over plain HTTP or with an unchecked certificate, as the engine's insecure-registries. */
  insecureRegistries: readonly string[];
  /** The runner's docker config (an earlier `docker login`), asked for registries the inputs do not name. */
  dockerConfig?: DockerConfig;
  /** Where each retry and its cause goes. */
  log: (message: string) => void;
}

export interface RegistryPool {
  client: (registry: string) => RegistryClient;
  close: () => void;
}

/**
 * The one way to make registry clients: one per registry for as long as the pool lives, with the credentials, CA
 * and insecure flag `access` gives it, and `policy`'s retry budget (retries counted against their registry). Every
 * in-process registry call (tag listing, credential checks, the native builder, pushes by digest, tags, merge,
 * attestations and signatures) goes through here.
 */
export function registryClients(access: RegistryAccess, policy: RetryPolicy): RegistryPool {
  const clients = new Map<string, RegistryClient>();
  const client = (registry: string): RegistryClient => {
    let c = clients.get(registry);
    if (!c) {
      const login = access.logins.find((l) => canonicalRegistry(l.registry) === registry);
      c = new RegistryClient({
        registry,
        credentials: credentialsFor(registry, access.logins, access.dockerConfig),
        ca: login?.ca,
        insecure: access.insecureRegistries.includes(registry),
        policy: { ...policy, scope: policy.scope ?? registry },
        log: access.log,
      });
      clients.set(registry, c);
    }
    return c;
  };
  return { client, close: () => clients.forEach((c) => c.close()) };
}
