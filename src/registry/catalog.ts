/** Where a registry's API lives, and whether it may speak plain HTTP. The tag list is read by src/oci/client.ts. */

/** The registry's API host: Docker Hub's API is registry-1.docker.io. Pure. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** Loopback registries may speak plain HTTP, as the Docker engine allows for 127.0.0.0/8. Pure. */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
