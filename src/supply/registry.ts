import { RegistryError, type RegistryClient } from '../registry/client.js';
import type { Blob } from './attest.js';

/** The registry calls the supply-chain step makes, on the run's one OCI client (src/registry/client.ts). */
export class SupplyRegistry {
  constructor(private readonly client: RegistryClient) {}

  /** undefined when the registry has no such manifest (e.g. no signature tag yet). */
  async getManifest(repo: string, ref: string): Promise<{ bytes: Buffer; mediaType: string; digest: string } | undefined> {
    try {
      return await this.client.getManifest(repo, ref);
    } catch (e) {
      if (e instanceof RegistryError && (e.status === 404 || e.codes.includes('MANIFEST_UNKNOWN'))) return undefined;
      throw e;
    }
  }

  referrers(repo: string, digest: string): Promise<{ status: number; mediaType?: string; body: Buffer }> {
    return this.client.referrers(repo, digest);
  }

  getBlob(repo: string, digest: string): Promise<Buffer> {
    return this.client.getBlob(repo, digest);
  }

  async pushBlob(repo: string, b: Blob): Promise<void> {
    await this.client.pushBlob(repo, { digest: b.descriptor.digest, size: b.descriptor.size, mediaType: b.descriptor.mediaType }, () => b.bytes);
  }

  putManifest(repo: string, ref: string, m: Blob): Promise<string> {
    return this.client.putManifest(repo, ref, m.descriptor.mediaType, m.bytes);
  }
}
