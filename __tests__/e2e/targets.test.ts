/**
 * Publish targets, with each builder: two images on one registry whose names are prefixes of each other
 * (acme-<unique>/a and acme-<unique>/ab), and two images on two registries (plain HTTP and TLS behind the test CA).
 * skopeo, another tool than ours, shows every repository holding every tag at the digest the run reported, and no
 * repository holding a tag of another.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, services, type Services } from '../support/services.ts';
import { withEngineTrust } from '../support/engine-trust.ts';

let s: Services;
let tools: string;
beforeAll(() => {
  s = services();
  tools = mkdtempSync(path.join(os.tmpdir(), 'ip-targets-skopeo-'));
  // credentials in an auth file and the CA in a cert dir, never in argv
  const auths = Object.fromEntries([s.registry, s.tlsRegistry].map((r) => [r, { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') }]));
  writeFileSync(path.join(tools, 'auth.json'), JSON.stringify({ auths }), { mode: 0o600 });
  mkdirSync(path.join(tools, 'certs'));
  copyFileSync(s.caFile, path.join(tools, 'certs', 'ca.crt'));
});
afterAll(() => rmSync(tools, { recursive: true, force: true }));

const TAGS = ['3.1.4', '3.1', 'latest'];
const unique = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

function skopeo(args: string[], registry: string): string {
  const tls = registry === s.tlsRegistry ? ['--cert-dir', path.join(tools, 'certs')] : ['--tls-verify=false'];
  return execFileSync('skopeo', [...args.slice(0, 1), '--authfile', path.join(tools, 'auth.json'), ...tls, ...args.slice(1)], { encoding: 'utf8', timeout: 60 * 1000 });
}

/** The tags a repository holds, by skopeo; [] when the repository does not exist. */
function tagsOf(registry: string, repo: string): string[] {
  try {
    return (JSON.parse(skopeo(['list-tags', `docker://${registry}/${repo}`], registry)) as { Tags: string[] | null }).Tags?.sort() ?? [];
  } catch (e) {
    if (/name unknown|repository name not known|manifest unknown|404/i.test(String((e as { stderr?: string }).stderr ?? e))) return [];
    throw e;
  }
}

/** The digest `registry/repo:tag` resolves to, by skopeo. */
function digestOf(registry: string, repo: string, tag: string): string {
  return (JSON.parse(skopeo(['inspect', `docker://${registry}/${repo}:${tag}`], registry)) as { Digest: string }).Digest;
}

function authEntry(registry: string, ca?: string): string {
  const indented = ca ? `  ca: |\n${ca.trim().split('\n').map((l) => `    ${l}`).join('\n')}\n` : '';
  return `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${s.password}\n${indented}`;
}

interface Metadata {
  digest: string;
  registries: { registry: string; refs: string[]; digest: string; pushed: boolean }[];
}

async function publish(builder: string, images: { registry: string; repo: string }[]): Promise<ActionRun> {
  const ws = prebuiltWorkspace();
  const registries = [...new Set(images.map((i) => i.registry))];
  // a docker-builder run given the CA writes it into the engine's certs.d: in turn with the other files' such runs
  const run = (): Promise<ActionRun> => runAction({
    workspace: ws.dir,
    event: tagEvent(ws.sha, 'v3.1.4'),
    env: ws.env,
    inputs: {
      builder,
      images: images.map((i) => `${i.registry}/${i.repo}`).join('\n'),
      tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}',
      'registry-auth': registries.map((r) => authEntry(r, r === s.tlsRegistry ? readFileSync(s.caFile, 'utf8') : undefined)).join(''),
      cache: 'false',
      ...PREBUILT,
    },
  });
  return registries.includes(s.tlsRegistry) ? withEngineTrust(run) : run();
}

/** What every case shows: each repository has exactly the run's tags, at the reported digest, in the summary and metadata. */
function expectEveryTagEverywhere(run: ActionRun, images: { registry: string; repo: string }[]): void {
  expect(run.main.code, run.main.log).toBe(0);
  const digest = run.outputs.digest;
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  // exactly these tags in every repository: none of another image's went there, none is missing
  expect(Object.fromEntries(images.map(({ registry, repo }) => [`${registry}/${repo}`, tagsOf(registry, repo)]))).toEqual(Object.fromEntries(images.map(({ registry, repo }) => [`${registry}/${repo}`, [...TAGS].sort()])));
  const summary = readFileSync(run.summaryFile, 'utf8');
  for (const { registry, repo } of images) {
    for (const tag of TAGS) expect(digestOf(registry, repo, tag), `${registry}/${repo}:${tag}`).toBe(digest);
    // the summary names each repository with its own tags
    expect(summary).toContain(`| ${registry} | \`${registry}/${repo}\` | \`${digest}\` | ${TAGS.map((t) => `\`${t}\``).join(' ')} | pushed |`);
  }
  const meta = JSON.parse(run.outputs.metadata) as Metadata;
  const refs = meta.registries.flatMap((r) => r.refs).sort();
  expect(refs).toEqual(images.flatMap((i) => TAGS.map((t) => `${i.registry}/${i.repo}:${t}`)).sort());
  expect(meta.registries.every((r) => r.pushed && r.digest === digest)).toBe(true);
  expect(run.outputs.tags.split('\n').sort()).toEqual(refs);
  expect(run.everything).not.toContain(s.password);
}

for (const builder of ['native', 'docker']) {
  describe(`builder: ${builder}, two images on one registry, one name a prefix of the other`, () => {
    const base = `e2e/acme-${unique()}`;
    const images = () => [
      { registry: s.registry, repo: `${base}/a` },
      { registry: s.registry, repo: `${base}/ab` },
    ];
    let run: ActionRun;
    beforeAll(async () => {
      run = await publish(builder, images());
    });

    it('pushes every tag into each repository, at the reported digest, and none into the other', () => {
      expect(run.main.log).toContain(builder === 'native' ? 'Builder: native' : 'Builder: docker');
      expectEveryTagEverywhere(run, images());
    });
  });

  describe(`builder: ${builder}, two images on two registries (plain HTTP and TLS behind a CA)`, () => {
    const repo = `e2e/targets-${unique()}`;
    const images = () => [
      { registry: s.registry, repo },
      { registry: s.tlsRegistry, repo: `${repo}/other` },
    ];
    let run: ActionRun;
    beforeAll(async () => {
      run = await publish(builder, images());
    });

    it('pushes every tag to each registry at the reported digest, and the other repository of that name holds nothing', () => {
      expectEveryTagEverywhere(run, images());
      expect(tagsOf(s.tlsRegistry, repo)).toEqual([]);
      expect(tagsOf(s.registry, `${repo}/other`)).toEqual([]);
    });
  });
}
