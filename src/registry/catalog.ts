/** Where a registry's API lives. The tag list is read by src/registry/client.ts. */

/** The registry's API host: Docker Hub's API is registry-1.docker.io. Pure. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}
