/**
 * The merge job (`merge-digests`) run as the runner runs it, without a checkout: legs pushed by digest to two
 * registries, stitched into one index, checked with skopeo and docker buildx imagetools.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestFileName, formatDigestFile } from '../../src/merge/digest-file.ts';
import { pushLeg, type LegImage } from '../support/legs.ts';
import { runAction, type ActionRun, type GitEvent } from '../support/runner.ts';
import { registryDigest, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
let registries: string[];
beforeAll(() => {
  s = services();
  registries = [s.registry, s.v6HttpRegistry];
});

const SHA = createHash('sha1').update(`merge-${Date.now()}`).digest('hex');

/** A push to main at SHA whose payload knows the commit time, so the index annotations are the same on every run. */
function event(): GitEvent {
  const repository = { name: 'hello-service', full_name: 'acme/hello-service', html_url: 'https://github.com/acme/hello-service', default_branch: 'main' };
  return { name: 'push', ref: 'refs/heads/main', sha: SHA, payload: { ref: 'refs/heads/main', repository, head_commit: { id: SHA, timestamp: '2026-11-01T12:00:00Z' } } };
}

/** The merge job's step: an empty workspace (no checkout), both registries with credentials. */
function merge(repo: string, mergeDigests: string, workspace = mkdtempSync(path.join(os.tmpdir(), 'ip-merge-ws-')), extra: Record<string, string> = {}): Promise<ActionRun> {
  const auth = (r: string): string => `- registry: "${r}"\n  username: ${s.user}\n  password: ${s.password}\n`;
  return runAction({
    workspace,
    event: event(),
    inputs: {
      images: registries.map((r) => `${r}/${repo}`).join('\n'),
      tags: 'type=raw,value=v1\ntype=sha',
      'registry-auth': registries.map(auth).join(''),
      'merge-digests': mergeDigests,
      cache: 'false',
      ...extra,
    },
    timeoutMs: 3 * 60 * 1000,
  });
}

/** A docker config of the peers' own with both registries' credentials (never the shared one, never argv). */
function peerConfig(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-merge-cfg-'));
  const auth = Buffer.from(`${s.user}:${s.password}`).toString('base64');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: Object.fromEntries(registries.map((r) => [r, { auth }])) }));
  return dir;
}

/** skopeo 1.9 cannot parse an IPv6 literal: it reads the 127.0.0.1 registry. */
function skopeoRaw(ref: string): string {
  return execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--authfile', path.join(peerConfig(), 'config.json'), `docker://${ref}`], { encoding: 'utf8', timeout: 60 * 1000 });
}

function imagetoolsRaw(ref: string): string {
  return execFileSync('docker', ['buildx', 'imagetools', 'inspect', '--raw', ref], { encoding: 'utf8', timeout: 60 * 1000, env: { ...process.env, DOCKER_CONFIG: peerConfig() } });
}

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const tagsOf = (run: ActionRun): string[] => run.outputs['tag-names'].split('\n').filter(Boolean);

interface IndexDoc {
  mediaType: string;
  manifests: { digest: string; mediaType: string; platform: { os: string; architecture: string } }[];
  annotations?: Record<string, string>;
}

function expectIndexOf(raw: string, legs: LegImage[]): IndexDoc {
  const doc = JSON.parse(raw) as IndexDoc;
  expect(doc.mediaType).toBe('application/vnd.oci.image.index.v1+json');
  expect(doc.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest])).toEqual(legs.map((l) => [l.platform, l.digest]));
  return doc;
}

describe('merge by lines, then by a folder of digest files', () => {
  const repoLines = uniqueRepo('merge-lines');
  const repoFolder = uniqueRepo('merge-folder');
  let amd: LegImage;
  let arm: LegImage;
  let byLines: ActionRun;
  let byFolder: ActionRun;
  beforeAll(async () => {
    for (const repo of [repoLines, repoFolder]) {
      amd = await pushLeg(s, registries, repo, 'linux/amd64', SHA);
      arm = await pushLeg(s, registries, repo, 'linux/arm64', SHA);
    }
    byLines = await merge(repoLines, `${arm.digest}\n${amd.digest}`);
    // the files as the legs leave them, in the folder download-artifact writes to (relative to the workspace)
    const ws = mkdtempSync(path.join(os.tmpdir(), 'ip-merge-ws-'));
    mkdirSync(path.join(ws, 'digests'));
    for (const leg of [amd, arm]) writeFileSync(path.join(ws, 'digests', digestFileName(leg.platform)), formatDigestFile({ platform: leg.platform, digest: leg.digest, commit: SHA, images: registries.map((r) => `${r}/${repoFolder}`) }));
    byFolder = await merge(repoFolder, 'digests', ws);
  });

  it('pushes one index of exactly the two legs, and every tag points at it on both registries (skopeo, imagetools)', async () => {
    expect(byLines.main.code, byLines.main.log).toBe(0);
    expect(byLines.post.code, byLines.post.log).toBe(0);
    const digest = byLines.outputs.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(byLines.outputs.pushed).toBe('true');
    expect(tagsOf(byLines)).toEqual(['v1', `sha-${SHA.slice(0, 7)}`]);
    for (const tag of tagsOf(byLines)) {
      const viaSkopeo = skopeoRaw(`${s.registry}/${repoLines}:${tag}`);
      expect(sha256(viaSkopeo)).toBe(digest);
      const doc = expectIndexOf(viaSkopeo, [amd, arm]);
      expect(doc.annotations?.['org.opencontainers.image.revision']).toBe(SHA);
      const viaImagetools = imagetoolsRaw(`${s.v6HttpRegistry}/${repoLines}:${tag}`);
      expect(sha256(viaImagetools.replace(/\n$/, ''))).toBe(digest);
      for (const r of registries) expect(await registryDigest(s, repoLines, tag, r)).toBe(digest);
    }
    const meta = JSON.parse(byLines.outputs.metadata) as { builder: string; digest: string; registries: { registry: string; pushed: boolean; digest: string }[] };
    expect(meta.builder).toBe('merge');
    expect(readFileSync(byLines.summaryFile, 'utf8')).toContain('**Builder:** merge');
    expect(byLines.main.log).not.toContain('Java build');
    expect(meta.registries.map((r) => [r.registry, r.pushed, r.digest])).toEqual(registries.map((r) => [r, true, digest]));
  });

  it('gives the same index from the folder of digest files, whatever the order of the legs', async () => {
    expect(byFolder.main.code, byFolder.main.log).toBe(0);
    expect(byFolder.outputs.digest).toBe(byLines.outputs.digest);
    for (const r of registries) expect(await registryDigest(s, repoFolder, 'v1', r)).toBe(byFolder.outputs.digest);
    expectIndexOf(skopeoRaw(`${s.registry}/${repoFolder}:v1`), [amd, arm]);
    expectIndexOf(imagetoolsRaw(`${s.v6HttpRegistry}/${repoFolder}:v1`), [amd, arm]);
  });
});

