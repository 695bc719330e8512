// @module-tag no-engine (no build, push, pull, daemon setting or action run: runs beside the files that use the engine)
/**
 * The merge's fallback through `docker buildx imagetools`, against the real registries: our client is refused
 * (no credentials: a real 401) where the docker config has credentials only docker uses, so docker reads the
 * legs, pushes the index by digest everywhere and the tags last, one digest on both registries.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagetools, useImagetools } from '../../src/merge/imagetools.ts';
import { parseDockerConfig } from '../../src/engine/docker-config.ts';
import { checkLegs, pushIndexWithDocker, type MergeIO } from '../../src/merge/registry.ts';
import type { Target } from '../../src/targets.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { parseImageName } from '../../src/oci/name.ts';
import { pushLeg, type LegImage } from '../support/legs.ts';
import { registryDigest, services, uniqueRepo, type Services } from '../support/services.ts';

const policy = { retries: 1, totalMs: 60_000, random: Math.random, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), onRetry: () => undefined };
const SHA = createHash('sha1').update(`imagetools-${Date.now()}`).digest('hex');

let s: Services;
let registries: string[];
let dockerConfig: string;
beforeAll(() => {
  s = services();
  registries = [s.registry, s.v6HttpRegistry];
  dockerConfig = mkdtempSync(path.join(os.tmpdir(), 'ip-merge-cfg-'));
  const auth = Buffer.from(`${s.user}:${s.password}`).toString('base64');
  writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: Object.fromEntries(registries.map((r) => [r, { auth }])) }));
});

function mergeIO(log: string[]): MergeIO {
  return {
    // no credentials: the registries answer 401, as they would to a client that cannot use an identity token
    client: (registry) => new RegistryClient({ registry, policy }),
    fallback: (registry, e) => useImagetools(e, registry, [], parseDockerConfig(JSON.stringify({ auths: { [registry]: { identitytoken: 'only docker uses this' } } }), dockerConfig)),
    tools: imagetools(dockerConfig, policy),
    log: (m) => log.push(m),
  };
}

const targets = (repo: string): Target[] => registries.map((r) => ({ image: parseImageName(`${r}/${repo}`, 'images'), tags: ['v1', 'v2'] }));

describe('docker buildx imagetools, when the native client is refused', () => {
  const repo = uniqueRepo('merge-imagetools');
  let amd: LegImage;
  let arm: LegImage;
  beforeAll(async () => {
    amd = await pushLeg(s, registries, repo, 'linux/amd64', SHA, 'docker');
    arm = await pushLeg(s, registries, repo, 'linux/arm64', SHA, 'docker');
  });

  it('checks through docker, then pushes one index everywhere, tags last', async () => {
    const log: string[] = [];
    const io = mergeIO(log);
    const legs = [{ digest: arm.digest }, { digest: amd.digest }];
    const checked = await checkLegs(legs, targets(repo), SHA, ['manifest:org.opencontainers.image.revision=' + SHA], io);
    expect(checked.viaDocker).toBe(true);
    expect(log.join('\n')).toContain('docker buildx imagetools takes over');
    const published = await pushIndexWithDocker(checked.found, legs, targets(repo), ['manifest:org.opencontainers.image.revision=' + SHA], io);
    expect(published.results.map((r) => [r.registry, r.pushed, r.digest])).toEqual(registries.map((r) => [r, true, published.digest]));
    for (const r of registries) for (const t of ['v1', 'v2']) expect(await registryDigest(s, repo, t, r)).toBe(published.digest);
    const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--authfile', path.join(dockerConfig, 'config.json'), `docker://${s.registry}/${repo}:v1`], { encoding: 'utf8', timeout: 60_000 });
    const doc = JSON.parse(raw) as { mediaType: string; manifests: { digest: string; platform: { architecture: string } }[]; annotations?: Record<string, string> };
    expect(doc.manifests.map((m) => [m.platform.architecture, m.digest])).toEqual([['amd64', amd.digest], ['arm64', arm.digest]]);
    // docker v2 legs give docker's manifest list, which has no annotations: buildx's rule and ours
    expect(doc.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(doc.annotations).toBeUndefined();
  });

  it('still refuses before any write: a leg of another commit, read through docker', async () => {
    const repo2 = uniqueRepo('merge-imagetools-refused');
    const a = await pushLeg(s, registries, repo2, 'linux/amd64', SHA);
    const b = await pushLeg(s, registries, repo2, 'linux/arm64', 'f'.repeat(40));
    await expect(checkLegs([{ digest: a.digest }, { digest: b.digest }], targets(repo2), SHA, [], mergeIO([]))).rejects.toThrow(`was built from commit ${'f'.repeat(40)}, but this run is at ${SHA}`);
    for (const r of registries) expect(await registryDigest(s, repo2, 'v1', r)).toBeUndefined();
  });

  it('does not fall back when docker has nothing better: the 401 is the answer', async () => {
    const io = { ...mergeIO([]), fallback: (registry: string, e: unknown) => useImagetools(e, registry, [], parseDockerConfig('{}', dockerConfig)) };
    await expect(checkLegs([{ digest: amd.digest }], targets(repo), SHA, [], io)).rejects.toThrow(/Reading the legs on 127\.0\.0\.1:5000 failed: .*401.*Nothing was pushed\. Give credentials/);
  });
});
