// The real native builder (daemonless, so it runs in this tier) against an in-memory registry that takes uploads only
// in chunks: the base layer is mounted, the new ones sent in PATCHes, manifests by digest, tags last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchEvent } from '../support/events.ts';
import { appWorkspace, pushInputs, seedBase, startRegistry } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

describe('the native builder against a registry that wants chunks', () => {
  let reg: MemoryRegistry;
  let run: InProcessRun;
  let baseLayer: string;
  beforeAll(async () => {
    reg = await startRegistry({ monolithicLimit: 64 });
    seedBase(reg, 'base/jre', '17', ['linux/amd64']);
    baseLayer = (JSON.parse(reg.manifest('base/jre', '17')!.bytes.toString()) as { layers: { digest: string }[] }).layers[0].digest;
    const ws = appWorkspace(`${reg.host}/base/jre:17`, { 'app.jar': 'PK '.repeat(4000) });
    run = await runInProcess({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: pushInputs(reg, 'acme/chunked', { tags: 'type=raw,value=v1\ntype=raw,value=v2' }), builders: 'real' });
  });
  afterAll(() => reg.stop());

  it('pushes, and both tags name the digest output', () => {
    expect(run.error, run.log).toBeUndefined();
    expect(run.log).toContain('Builder: native, as the builder input asks.');
    expect(reg.tags('acme/chunked')).toEqual(['v1', 'v2']);
    for (const tag of ['v1', 'v2']) expect(reg.manifest('acme/chunked', tag)?.digest).toBe(run.outputs.digest);
  });

  it('mounted the base layer, sent the rest in chunks after a 413, and wrote the tags last', () => {
    const mine = reg.requests.filter((r) => r.path.startsWith('/v2/acme/chunked/'));
    expect(mine.some((r) => r.method === 'POST' && r.path.includes(`mount=${encodeURIComponent(baseLayer)}`))).toBe(true);
    expect(mine.some((r) => r.method === 'PATCH')).toBe(true);
    expect(reg.blob('acme/chunked', baseLayer)).toBeDefined();
    const tagPuts = mine.map((r, i) => [r, i] as const).filter(([r]) => r.method === 'PUT' && /\/manifests\/v\d$/.test(r.path));
    const lastBlobWrite = Math.max(...mine.map((r, i) => (r.path.includes('/blobs/') && r.method !== 'GET' && r.method !== 'HEAD' ? i : -1)));
    expect(tagPuts).toHaveLength(2);
    expect(tagPuts.every(([, i]) => i > lastBlobWrite)).toBe(true);
  });

  it('labels the image with the commit, as the config the registry holds says', () => {
    const manifest = JSON.parse(reg.manifest('acme/chunked', 'v1')!.bytes.toString()) as { config: { digest: string } };
    const config = JSON.parse(reg.blob('acme/chunked', manifest.config.digest)!.toString()) as { config: { Labels: Record<string, string> } };
    expect(config.config.Labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    expect(run.outputs['image-id']).toBe(manifest.config.digest);
  });
});
