// What the native push asks the registry, request by request: a blob this run saw in a repository is not asked again,
// and a config goes up with no HEAD when one of the run's layers was not there (so no image of it can be).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../../src/builders/native/push.ts';
import type { AssembledImage } from '../../src/builders/native/assemble.ts';
import { digestOf } from '../../src/oci/digest.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { PASSWORD, seedBase, startRegistry, USER } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';

const policy = { retries: 1, totalMs: 10_000, random: Math.random, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), onRetry: () => undefined };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function blob(text: string): { digest: string; size: number; data: Buffer } {
  const data = Buffer.from(text);
  return { digest: digestOf(data), size: data.length, data };
}

/** An image of the base's layer and `layers`, its config naming them (a stand-in for assemble's output). */
function image(baseLayer: { digest: string; size: number }, layers: ReturnType<typeof blob>[]): AssembledImage {
  const config = blob(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [baseLayer, ...layers].map((l) => l.digest) } }));
  const descriptor = (b: { digest: string; size: number }) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: b.digest, size: b.size });
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size }, layers: [baseLayer, ...layers].map(descriptor) }));
  return { flavor: 'oci', layers, platforms: [{ config, manifest: { digest: digestOf(bytes), mediaType: OCI_MANIFEST, bytes }, baseLayers: [descriptor(baseLayer)] }] } as AssembledImage;
}

describe('the native push asks the registry only what it does not know', () => {
  let reg: MemoryRegistry;
  let baseLayer: { digest: string; size: number };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-push-requests-'));
  const client = () => new RegistryClient({ registry: reg.host, credentials: { username: USER, password: PASSWORD }, policy });
  const base = () => ({ client: client(), repository: 'base/jre', sameRegistry: true, tempDir: dir });
  // requests that got in (a new client's first one is sent again after the 401 that asks it to log in)
  const since = (n: number, repo: string) => reg.requests.slice(n).filter((r) => r.user && r.path.startsWith(`/v2/${repo}/`)).map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`);
  beforeAll(async () => {
    reg = await startRegistry();
    seedBase(reg, 'base/jre', '17', ['linux/amd64']);
    const m = JSON.parse(reg.manifest('base/jre', '17')!.bytes.toString()) as { layers: { digest: string; size: number }[] };
    baseLayer = m.layers[0];
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    return reg.stop();
  });

  it('fetches a blob with one GET (no HEAD first), and then pushes it with no request at all', async () => {
    const c = client();
    const b = blob('a layer the layer-digest cache names');
    const n0 = reg.requests.length;
    expect(await c.downloadBlobIfPresent('acme/seen', b, path.join(dir, 'blob'))).toBe(false);
    expect(await c.pushBlob('acme/seen', b, () => b.data)).toBe('uploaded');
    expect(await c.downloadBlobIfPresent('acme/seen', b, path.join(dir, 'blob'))).toBe(true);
    const n1 = reg.requests.length;
    expect(await c.pushBlob('acme/seen', b, () => b.data)).toBe('exists');
    expect(await c.hasBlob('acme/seen', b.digest)).toBe(true);
    expect(reg.requests.length).toBe(n1);
    expect(since(n0, 'acme/seen').filter((r) => r.startsWith('GET'))).toHaveLength(2);
    // a new client knows nothing: it asks
    expect(await client().pushBlob('acme/seen', b, () => b.data)).toBe('exists');
    expect(since(n1, 'acme/seen')).toEqual([`HEAD /v2/acme/seen/blobs/${b.digest}`]);
  });

  it('sends a config with no HEAD when a layer was new, and HEADs it when every layer was there', async () => {
    const [libs, app1, app2] = [blob('libraries'), blob('application 1'), blob('application 2')];
    const first = image(baseLayer, [libs, app1]);
    let n = reg.requests.length;
    await pushImage(client(), 'acme/cfg', first, ['v1'], base());
    const config1 = first.platforms[0].config.digest;
    expect(since(n, 'acme/cfg').filter((r) => r.includes(config1))).toEqual([]);
    expect(reg.blob('acme/cfg', config1)).toBeDefined();

    // the one-line change: the libraries are there, the application layer is not, so neither is the new config
    const changed = image(baseLayer, [libs, app2]);
    n = reg.requests.length;
    const pushed = await pushImage(client(), 'acme/cfg', changed, ['v2'], base());
    expect(pushed.layers).toEqual({ exists: 1, mounted: 0, uploaded: 1 });
    const seen = since(n, 'acme/cfg');
    expect(seen.filter((r) => r.startsWith('HEAD'))).toEqual([`HEAD /v2/acme/cfg/blobs/${baseLayer.digest}`, `HEAD /v2/acme/cfg/blobs/${libs.digest}`, `HEAD /v2/acme/cfg/blobs/${app2.digest}`]);
    expect(reg.manifest('acme/cfg', 'v2')?.digest).toBe(changed.platforms[0].manifest.digest);

    // the same image again (a new tag): every layer there, so the config is asked about, and not sent
    n = reg.requests.length;
    await pushImage(client(), 'acme/cfg', changed, ['v3'], base());
    const again = since(n, 'acme/cfg');
    expect(again).toContain(`HEAD /v2/acme/cfg/blobs/${changed.platforms[0].config.digest}`);
    expect(again.filter((r) => r.startsWith('POST') || r.startsWith('PATCH') || r.includes('/blobs/uploads/'))).toEqual([]);
  });
});
