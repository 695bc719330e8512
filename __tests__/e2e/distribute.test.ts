import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { answerOf } from '../support/containers.ts';
import { withEngineTrust } from '../support/engine-trust.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, registryDigest, registryTags, services, uniqueRepo, type Services, type Workspace } from '../support/services.ts';

/**
 * Issue 12 end to end: one leg per platform (push-by-digest), on the docker builder and on the native builder, then
 * a merge job that stitches their digests into one index on two registries and tags it. Checked with skopeo.
 */
let s: Services;
let ws: Workspace;
const repo = uniqueRepo('legs');
const TAGS = ['1.2.3', '1.2', '1', 'latest'];

function indent(text: string, n: number): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
}

function registryAuth(): string {
  const entry = (registry: string, ca?: string): string => `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${s.password}\n${ca ? `  ca: |\n${indent(ca, 4)}\n` : ''}`;
  return entry(s.registry) + entry(s.tlsRegistry, readFileSync(s.caFile, 'utf8'));
}

function common(): Record<string, string> {
  return {
    images: `${s.registry}/${repo}\n${s.tlsRegistry}/${repo}`,
    tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}',
    'registry-auth': registryAuth(),
    cache: 'false',
  };
}

async function leg(platform: string, builder: 'docker' | 'native'): Promise<ActionRun> {
  const run = (): Promise<ActionRun> =>
    runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.2.3'),
      env: ws.env,
      inputs: { ...common(), ...PREBUILT, builder, platforms: platform, 'push-by-digest': 'true', 'build-args': `BASE_IMAGE=${s.baseImage}-multi` },
    });
  // the docker builder makes the engine trust the test CA until post; the native one speaks to registries itself
  return builder === 'docker' ? withEngineTrust(run) : run();
}

async function merge(source: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  // the merge job needs no checkout: an empty workspace
  const empty = mkdtempSync(path.join(os.tmpdir(), 'ip-merge-ws-'));
  return runAction({ workspace: empty, event: tagEvent(ws.sha, 'v1.2.3'), inputs: { ...common(), 'merge-digests': source, ...extra } });
}

/** A key pair from Debian's cosign, as a user makes one. */
function cosignKeys(): { key: string; pub: string; password: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-legs-cosign-'));
  const password = `pw-${Math.random().toString(36).slice(2)}-legs`;
  execFileSync('cosign', ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password }, stdio: 'ignore', timeout: 60 * 1000 });
  return { key: readFileSync(path.join(dir, 'cosign.key'), 'utf8'), pub: path.join(dir, 'cosign.pub'), password };
}

/** skopeo's view (another tool than ours); credentials in an auth file, the CA in a cert dir. */
function skopeoRaw(registry: string, ref: string): { mediaType: string; manifests?: { digest: string; platform: { os: string; architecture: string; variant?: string } }[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-skopeo-'));
  const authfile = path.join(dir, 'auth.json');
  writeFileSync(authfile, JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }), { mode: 0o600 });
  mkdirSync(path.join(dir, 'certs'));
  copyFileSync(s.caFile, path.join(dir, 'certs', 'ca.crt'));
  const tls = registry === s.tlsRegistry ? ['--cert-dir', path.join(dir, 'certs')] : ['--tls-verify=false'];
  const sep = ref.startsWith('sha256:') ? '@' : ':';
  return JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--authfile', authfile, ...tls, `docker://${registry}/${repo}${sep}${ref}`], { encoding: 'utf8', timeout: 60 * 1000 })) as ReturnType<typeof skopeoRaw>;
}

const legs: Record<string, ActionRun> = {};
beforeAll(async () => {
  s = services();
  ws = prebuiltWorkspace();
  legs.amd64 = await leg('linux/amd64', 'docker');
  legs.arm64Native = await leg('linux/arm64', 'native');
  legs.arm64Docker = await leg('linux/arm64', 'docker');
}, 20 * 60 * 1000);

let pulled = '';
let dk: (args: string[], input?: string) => string = () => '';
afterAll(() => {
  if (pulled) dk(['image', 'rm', pulled]);
});

describe('push-by-digest legs', () => {
  it('push each platform by digest to both registries, with no tag anywhere, and leave a digest file named for the platform', async () => {
    for (const [name, run] of Object.entries(legs)) {
      expect(run.main.code, `${name}\n${run.main.log}`).toBe(0);
      expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(run.outputs.pushed).toBe('true');
      const platform = name === 'amd64' ? 'linux/amd64' : 'linux/arm64';
      const files = readdirSync(path.join(run.runnerTemp, 'image-publish-digests'));
      expect(files).toEqual([platform.replace(/\//g, '-')]);
      const file = JSON.parse(readFileSync(path.join(run.runnerTemp, 'image-publish-digests', files[0]), 'utf8')) as { platform: string; digest: string; commit: string };
      expect(file).toMatchObject({ platform, digest: run.outputs.digest, commit: ws.sha });
      for (const registry of [s.registry, s.tlsRegistry]) expect(await registryDigest(s, repo, run.outputs.digest, registry)).toBe(run.outputs.digest);
    }
    expect(await registryTags(s, repo)).toEqual([]);
    // the native and the docker arm64 legs are two images of one platform
    expect(legs.arm64Native.outputs.digest).not.toBe(legs.arm64Docker.outputs.digest);
  });
});

describe.each([
  { name: 'docker amd64 + native arm64, from a folder of digest files', arm: 'arm64Native', byFolder: true },
  { name: 'docker amd64 + docker arm64, from digests one per line', arm: 'arm64Docker', byFolder: false },
])('merge: $name', ({ arm, byFolder }) => {
  let run: ActionRun;
  let keys: ReturnType<typeof cosignKeys> | undefined;
  beforeAll(async () => {
    const chosen = [legs.amd64, legs[arm]];
    if (byFolder) {
      // what actions/download-artifact with merge-multiple: true leaves
      const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-digests-'));
      for (const l of chosen) {
        const from = path.join(l.runnerTemp, 'image-publish-digests');
        for (const f of readdirSync(from)) copyFileSync(path.join(from, f), path.join(dir, f));
      }
      keys = cosignKeys();
      run = await merge(dir, { sign: 'key', 'signing-key': keys.key, 'signing-password': keys.password });
    } else {
      run = await merge(chosen.map((l) => l.outputs.digest).join('\n'));
    }
  }, 5 * 60 * 1000);

  it('pushes an index of exactly the two legs, and every tag points at it on both registries', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    const index = run.outputs.digest;
    expect(index).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs['tag-names'].split('\n')).toEqual(TAGS);
    for (const registry of [s.registry, s.tlsRegistry]) {
      const raw = skopeoRaw(registry, '1.2.3');
      expect(raw.manifests?.map((m) => [m.digest, `${m.platform.os}/${m.platform.architecture}`]).sort()).toEqual(
        [
          [legs.amd64.outputs.digest, 'linux/amd64'],
          [legs[arm].outputs.digest, 'linux/arm64'],
        ].sort(),
      );
      for (const tag of TAGS) expect(await registryDigest(s, repo, tag, registry)).toBe(index);
    }
  });

  it(byFolder ? 'signs the index on both registries with sign: key, and Debian\'s cosign verifies it' : 'signs nothing without sign', async () => {
    const index = run.outputs.digest;
    const sigTag = `${index.replace(':', '-')}.sig`;
    if (!byFolder) {
      for (const registry of [s.registry, s.tlsRegistry]) expect(await registryDigest(s, repo, sigTag, registry), registry).toBeUndefined();
      return;
    }
    for (const registry of [s.registry, s.tlsRegistry]) expect(await registryDigest(s, repo, sigTag, registry), registry).toMatch(/^sha256:/);
    const config = mkdtempSync(path.join(os.tmpdir(), 'ip-legs-cosign-cfg-'));
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [s.registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }));
    const out = execFileSync('cosign', ['verify', '--key', keys!.pub, '--insecure-ignore-tlog', '--allow-insecure-registry', '--allow-http-registry', `${s.registry}/${repo}@${index}`], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_CONFIG: config },
      timeout: 2 * 60 * 1000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(JSON.parse(out)[0].critical.image['docker-manifest-digest']).toBe(index);
  });
});

describe('the merged image', () => {
  it('is pulled by its tag on this amd64 engine as the docker leg\'s image, and answers', async () => {
    const env = { ...process.env, DOCKER_CONFIG: mkdtempSync(path.join(os.tmpdir(), 'ip-legs-docker-')) };
    dk = (args, input) => execFileSync('docker', args, { encoding: 'utf8', input, env, timeout: 5 * 60 * 1000, stdio: ['pipe', 'pipe', 'pipe'] });
    dk(['login', s.registry, '-u', s.user, '--password-stdin'], s.password);
    const ref = `${s.registry}/${repo}:1.2.3`;
    dk(['pull', '-q', ref]);
    pulled = ref;
    expect(dk(['image', 'inspect', '--format', '{{.Architecture}}', ref]).trim()).toBe('amd64');
    expect(await answerOf(ref, 'PORT', '/hello', env)).toBe('hello docker');
  });
});
