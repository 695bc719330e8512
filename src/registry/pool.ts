import type { DockerConfig } from '../engine/docker-config.js';
import type { RegistryLogin } from '../inputs/registry-auth.js';
import { canonicalRegistry } from '../oci/name.js';
import type { RetryPolicy } from '../retry/retry.js';
import { RegistryClient } from './client.js';
import { credentialsFor } from './credentials.js';

export interface PoolOptions {
  logins: readonly RegistryLogin[];
  insecureRegistries: readonly string[];
  /** The runner's docker config (an earlier `docker login`), asked for registries the inputs do not name. */
  dockerConfig?: DockerConfig;
  policy: RetryPolicy;
  log: (message: string) => void;
}

/**
 * One client per registry for the whole run, with the credentials, CA and insecure flag the inputs give it: every
 * in-process registry call (the native builder, attestations and signatures) goes through here.
 */
export function clientPool(opts: PoolOptions): { client: (registry: string) => RegistryClient; close: () => void } {
  const clients = new Map<string, RegistryClient>();
  const client = (registry: string): RegistryClient => {
    let c = clients.get(registry);
    if (!c) {
      const login = opts.logins.find((l) => canonicalRegistry(l.registry) === registry);
      c = new RegistryClient({
        registry,
        credentials: credentialsFor(registry, opts.logins, opts.dockerConfig),
        ca: login?.ca,
        insecure: opts.insecureRegistries.includes(registry),
        // retries are counted against the registry they were about
        policy: { ...opts.policy, scope: opts.policy.scope ?? registry },
        log: opts.log,
      });
      clients.set(registry, c);
    }
    return c;
  };
  return { client, close: () => clients.forEach((c) => c.close()) };
}
