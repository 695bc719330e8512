import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferrersRegistry } from '../support/referrers-registry.ts';
import type { ActionRun } from '../support/runner.ts';
import { registryDigest, registryTags, services, uniqueRepo, type Services } from '../support/services.ts';
import { GITHUB_ISSUER, githubClaims, LocalSigstore } from '../support/sigstore/index.ts';
import { publishRelease, RELEASE_WORKFLOW_REF, springBootJar } from '../support/supply.ts';

/** What `cosign verify --certificate-identity` names for a release of v1.0.0 by release.yml. */
const IDENTITY = `https://github.com/${RELEASE_WORKFLOW_REF}`;

let s: Services;
let jar: string;
let sigstore: LocalSigstore;
let referrers: ReferrersRegistry;
let dockerConfig: string;

beforeAll(async () => {
  s = services();
  jar = springBootJar();
  const [host, port] = s.registry.split(':');
  referrers = await new ReferrersRegistry({ host, port: Number(port) }).start();
  sigstore = await new LocalSigstore().start(githubClaims({ repository: 'acme/hello-service', ref: 'refs/tags/v1.0.0', workflow: '.github/workflows/release.yml', sha: '0'.repeat(40) }));
  dockerConfig = mkdtempSync(path.join(os.tmpdir(), 'ip-keyless-docker-'));
  const auth = Buffer.from(`${s.user}:${s.password}`).toString('base64');
  writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [s.registry]: { auth }, [referrers.address]: { auth } } }));
}, 15 * 60 * 1000);

afterAll(async () => {
  await referrers?.stop();
  await sigstore?.close();
});

/** A keyless release against the local Sigstore: the runner's token endpoint in the env, its TrustedRoot as the input. */
function release(repo: string, extra: Record<string, string> = {}, registry = s.registry): Promise<ActionRun & { sha: string }> {
  return publishRelease(s, jar, repo, { sbom: 'true', provenance: 'true', sign: 'keyless', 'sigstore-trusted-root': sigstore.trustedRootFile, ...extra }, sigstore.oidc.env, registry);
}

/**
 * Debian's cosign 2.5, offline against the local Sigstore (the SIGSTORE_* files of cosignEnv). Spawned
 * asynchronously: the fake referrers registry answers it from this process.
 */
function cosign(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('cosign', args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig, ...sigstore.cosignEnv }, encoding: 'utf8', timeout: 2 * 60 * 1000 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** The registry is plain HTTP: the only flags a verification here takes beyond the README's. */
const offline = ['--allow-insecure-registry', '--allow-http-registry'];
const who = (identity = IDENTITY): string[] => ['--certificate-identity', identity, '--certificate-oidc-issuer', GITHUB_ISSUER];
const bundles = (): string[] => ['--new-bundle-format', '--trusted-root', sigstore.trustedRootFile];

describe('sign: keyless on the Debian registry, which does not serve the referrers API: cosign 2 tags', () => {
  const repo = uniqueRepo('keyless');
  let run: ActionRun & { sha: string };
  let ref: string;
  let logged: string[];
  let certified: number;
  beforeAll(async () => {
    const [entries, certs] = [sigstore.rekor.kinds.length, sigstore.fulcio.issued];
    run = await release(repo);
    ref = `${s.registry}/${repo}:1.0.0`;
    [logged, certified] = [sigstore.rekor.kinds.slice(entries), sigstore.fulcio.issued - certs];
  });

  it('pushes, finds no referrers API, and keeps the index, .sig and .att tags', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain(`${s.registry}/${repo}: the registry does not serve the OCI referrers API; attestations: index, signatures: cosign 2's tags.`);
    expect(await registryDigest(s, repo, '1.0.0')).toBe(run.outputs.digest);
    const hex = run.outputs.digest.replace('sha256:', '');
    expect((await registryTags(s, repo)).sort()).toEqual(['1.0.0', 'latest', `sha256-${hex}.att`, `sha256-${hex}.sig`]);
    expect(run.main.log).toContain(`certified ${IDENTITY}, issuer ${GITHUB_ISSUER}`);
  });

  it('Debian cosign verifies the signature: certificate identity, issuer, Rekor bundle', async () => {
    const r = await cosign(['verify', ...who(), ...offline, ref]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(run.outputs.digest);
    expect(r.out).toContain('Existence of the claims in the transparency log was verified offline');
  });

  it.each(['spdxjson', 'slsaprovenance1'])('Debian cosign verifies the %s attestation', async (type) => {
    const r = await cosign(['verify-attestation', '--type', type, ...who(), ...offline, ref]);
    expect(r.code, r.out).toBe(0);
  });

  it('logged one dsse entry per attestation and one hashedrekord for the signature, under one certificate', () => {
    expect(logged).toEqual(['dsse', 'dsse', 'hashedrekord']);
    expect(certified).toBe(1);
  });

  it('never shows the OIDC request token or an ID token', () => {
    expect(run.everything).not.toContain(sigstore.oidc.requestToken);
    for (const t of sigstore.oidc.tokens) expect(run.everything).not.toContain(t.split('.')[2]);
  });

  it('another identity fails: the workflow at refs/heads/main did not sign this', async () => {
    const r = await cosign(['verify', ...who(IDENTITY.replace('refs/tags/v1.0.0', 'refs/heads/main')), ...offline, ref]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/none of the expected identities matched/i);
  });

  it('a tampered Rekor bundle fails', async () => {
    const tag = `sha256-${run.outputs.digest.replace('sha256:', '')}.sig`;
    const url = `http://${s.registry}/v2/${repo}/manifests/${tag}`;
    const headers = { authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`, accept: 'application/vnd.oci.image.manifest.v1+json' };
    const manifest = (await (await fetch(url, { headers })).json()) as { layers: { annotations: Record<string, string> }[] };
    const bundle = JSON.parse(manifest.layers[0].annotations['dev.sigstore.cosign/bundle']) as { Payload: { integratedTime: number } };
    bundle.Payload.integratedTime += 1;
    for (const l of manifest.layers) l.annotations['dev.sigstore.cosign/bundle'] = JSON.stringify(bundle);
    const put = await fetch(url, { method: 'PUT', headers: { ...headers, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: JSON.stringify(manifest) });
    expect(put.status).toBe(201);
    const r = await cosign(['verify', ...who(), ...offline, ref]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/unable to verify SET/i);
  });

  it('a moved tag fails: the tag now names a digest nobody signed', async () => {
    const moved = spawnSync('docker', ['buildx', 'imagetools', 'create', '--tag', ref, s.baseImage], { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, encoding: 'utf8', timeout: 2 * 60 * 1000 });
    expect(moved.status, `${moved.stdout}${moved.stderr}`).toBe(0);
    const r = await cosign(['verify', ...who(), ...offline, ref]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/no signatures found|no matching signatures/i);
  });
});

describe('sign: keyless on a registry that serves the referrers API (a FAKE: a relay adding the API to the Debian registry)', () => {
  const repo = uniqueRepo('keyless-referrers');
  let run: ActionRun & { sha: string };
  let ref: string;
  beforeAll(async () => {
    // the base image stays on the Debian registry: the build logs in to both
    const entry = (registry: string): string => `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${s.password}\n`;
    run = await release(repo, { registry: '', username: '', password: '', 'registry-auth': entry(s.registry) + entry(referrers.address) }, referrers.address);
    ref = `${referrers.address}/${repo}:1.0.0`;
  });

  it('asks the API, attaches bundles as referrers of the pushed digest, and leaves the tags as pushed', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain(`${referrers.address}/${repo}: the registry serves the OCI referrers API; attestations: referrers, signatures: Sigstore bundles as referrers.`);
    const listed = referrers.referrers(repo, run.outputs.digest);
    expect(listed.map((d) => d.artifactType)).toEqual(Array(3).fill('application/vnd.dev.sigstore.bundle.v0.3+json'));
    expect(listed.map((d) => d.annotations?.['dev.sigstore.bundle.predicateType']).sort()).toEqual(['https://sigstore.dev/cosign/sign/v1', 'https://slsa.dev/provenance/v1', 'https://spdx.dev/Document']);
    // no .sig/.att, no index around the image, no referrers tag schema: the API serves them
    expect((await registryTags(s, repo)).sort()).toEqual(['1.0.0', 'latest']);
  });

  it.each(['spdxjson', 'slsaprovenance1', 'https://sigstore.dev/cosign/sign/v1'])('Debian cosign verifies the %s bundle with the trusted root', async (type) => {
    const r = await cosign(['verify-attestation', ...bundles(), '--type', type, ...who(), ...offline, ref]);
    expect(r.code, r.out).toBe(0);
  });

  it('another identity fails on the bundles too', async () => {
    const r = await cosign(['verify-attestation', ...bundles(), '--type', 'spdxjson', ...who(`https://github.com/acme/other/.github/workflows/release.yml@refs/tags/v1.0.0`), ...offline, ref]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/no matching CertificateIdentity found/);
  });
});

describe('signature-format: referrers on the Debian registry', () => {
  it('keeps the referrers tag schema (sha256-<hex>), which cosign reads when the API is not served', async () => {
    const repo = uniqueRepo('keyless-fallback');
    const run = await release(repo, { 'signature-format': 'referrers', attestations: 'referrers' });
    expect(run.main.code, run.main.log).toBe(0);
    const hex = run.outputs.digest.replace('sha256:', '');
    expect((await registryTags(s, repo)).sort()).toEqual(['1.0.0', 'latest', `sha256-${hex}`]);
    const r = await cosign(['verify-attestation', ...bundles(), '--type', 'slsaprovenance1', ...who(), ...offline, `${s.registry}/${repo}:1.0.0`]);
    expect(r.code, r.out).toBe(0);
  });
});

describe('sign: keyless without `id-token: write`', () => {
  it('fails before anything is built, naming the permission', async () => {
    const repo = uniqueRepo('keyless-noperm');
    const run = await publishRelease(s, jar, repo, { sign: 'keyless' });
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toContain("Input 'sign': keyless needs the job's OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job `permissions: id-token: write`");
    expect(run.main.log).not.toContain('::group::Build the image');
    expect(await registryTags(s, repo)).toEqual([]);
  });
});
