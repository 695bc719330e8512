import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BlobRef, RegistryClient } from './client.js';

export interface BlobPlace {
  client: RegistryClient;
  repository: string;
}

/**
 * Copies a blob (a layer) from one repository to another, on any registries, through a file under `tempDir`
 * (RUNNER_TEMP): downloaded with its size and digest checked, then uploaded from disk, never held in memory.
 */
export async function copyBlob(from: BlobPlace, to: BlobPlace, blob: BlobRef, tempDir: string): Promise<void> {
  mkdirSync(tempDir, { recursive: true });
  const dir = mkdtempSync(path.join(tempDir, 'image-publish-blob-'));
  try {
    const file = path.join(dir, 'blob');
    await from.client.downloadBlob(from.repository, blob, file);
    await to.client.pushBlob(to.repository, blob, () => ({ file }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
