import { STATUS_CODES } from 'node:http';
import type { ImageName } from '../oci/name.js';
import { RegistryError, type RegistryClient } from './client.js';
import { repositoryScope } from './headers.js';

/** sha256 of nothing anyone pushes under this name: asking for it costs one HEAD and tells only whether we may. */
const NO_SUCH_BLOB = `sha256:${'0'.repeat(64)}`;

export interface ProbeRefusal {
  registry: string;
  repository: string;
  /** The registry's answer, e.g. `401 Unauthorized`. */
  answer: string;
}

/**
 * Asks each repository about a blob nobody has, with this run's credentials and the push scope: a 404 means the
 * credentials are taken; a 401/403 means they are wrong or may not push. This runs in the action's own process
 * and writes nothing, so a wrong password is found before the build tool runs rather than at the login after it.
 * Other failures (a registry down) are left to the push, which retries them.
 */
export async function refusedPushAccess(images: readonly ImageName[], client: (registry: string) => RegistryClient): Promise<ProbeRefusal[]> {
  const refused: ProbeRefusal[] = [];
  const seen = new Set<string>();
  for (const img of images) {
    const key = `${img.registry}/${img.repository}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      await client(img.registry).hasBlob(img.repository, NO_SUCH_BLOB, 'push', [repositoryScope(img.repository, ['pull', 'push'])]);
    } catch (e) {
      if (e instanceof RegistryError && e.kind === 'auth') refused.push({ registry: img.registry, repository: img.repository, answer: e.status ? `${e.status} ${STATUS_CODES[e.status] ?? ''}`.trim() : e.message });
    }
  }
  return refused;
}
