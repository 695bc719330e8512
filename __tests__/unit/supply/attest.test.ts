import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/oci/digest.js';
import type { Descriptor } from '../../../src/oci/manifest.js';
import { isAttestation } from '../../../src/oci/media.js';
import { attestationManifest, indexWithAttestations } from '../../../src/supply/attest.js';
import { parseImageName } from '../../../src/oci/name.js';
import { openCosignKey, publicKeyPem, signatureLayer, signatureManifest, signatureTag, signPayload, simpleSigningPayload } from '../../../src/supply/cosign.js';
import { parseSupply, secretLines, wantsSupply } from '../../../src/supply/options.js';
import { builderId, slsaPredicate, splitWorkflowRef, statement, type BuildFacts } from '../../../src/supply/provenance.js';
import { newRecord, summaryMarkdown } from '../../../src/report/summary.js';
import { pushedImages } from '../../../src/stages/supply.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/cosign');
const KEY = readFileSync(path.join(dir, 'cosign.key'), 'utf8');
const PUB = readFileSync(path.join(dir, 'cosign.pub'), 'utf8');
const PASSWORD = 'test-only-password';
const IMG = `sha256:${'1'.repeat(64)}`;

const facts: BuildFacts = {
  actionRepository: 'acme/image-publish',
  actionRef: 'v1',
  serverUrl: 'https://github.com',
  repository: 'acme/demo',
  sha: 'c'.repeat(40),
  ref: 'refs/tags/v1.0.0',
  eventName: 'push',
  workflowRef: 'acme/demo/.github/workflows/release.yml@refs/tags/v1.0.0',
  runId: 42,
  runAttempt: '1',
  inputs: { sbom: true, images: ['ghcr.io/acme/demo'] },
  base: { ref: 'eclipse-temurin:21-jre', digest: `sha256:${'b'.repeat(64)}` },
  jar: { path: 'target/demo.jar', sha256: 'd'.repeat(64) },
  startedOn: new Date('2026-11-28T08:00:00Z'),
  finishedOn: new Date('2026-11-28T08:01:00Z'),
};

describe('SLSA v1 provenance', () => {
  it('names the builder at its ref, the workflow, run, commit, inputs, base and jar', () => {
    type Tree = { [k: string]: Tree } & Record<string, unknown>;
    const p = slsaPredicate(facts) as unknown as { buildDefinition: Tree; runDetails: Tree };
    expect(p.runDetails.builder.id).toBe('https://github.com/acme/image-publish@v1');
    expect(p.buildDefinition.externalParameters.workflow).toEqual({ ref: 'refs/tags/v1.0.0', repository: 'https://github.com/acme/demo', path: '.github/workflows/release.yml' });
    expect(p.buildDefinition.externalParameters.inputs).toEqual(facts.inputs);
    expect(p.buildDefinition.resolvedDependencies).toEqual([
      { uri: 'git+https://github.com/acme/demo@refs/tags/v1.0.0', digest: { gitCommit: 'c'.repeat(40) } },
      { uri: 'pkg:docker/eclipse-temurin:21-jre', digest: { sha256: 'b'.repeat(64) }, annotations: { role: 'base image' } },
    ]);
    expect(p.runDetails.metadata.invocationId).toBe('https://github.com/acme/demo/actions/runs/42/attempts/1');
    expect(p.runDetails.byproducts).toEqual([{ name: 'target/demo.jar', digest: { sha256: 'd'.repeat(64) }, annotations: { role: 'the jar copied into the image' } }]);
  });

  it('is an in-toto Statement v1', () => {
    const s = statement([{ name: 'x', digest: { sha256: '1'.repeat(64) } }], 'https://slsa.dev/provenance/v1', {});
    expect(s).toEqual({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { sha256: '1'.repeat(64) } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: {} });
  });

  it.each([
    ['acme/demo/.github/workflows/r.yml@refs/heads/main', { path: '.github/workflows/r.yml', ref: 'refs/heads/main' }],
    ['', { path: '', ref: '' }],
  ])('splitWorkflowRef(%s)', (w, want) => expect(splitWorkflowRef(w, 'acme/demo')).toEqual(want));

  it('builder id without a ref', () => expect(builderId({ serverUrl: 'https://github.com/', actionRepository: '', actionRef: '' })).toBe('https://github.com/image-publish'));
});

describe('attestation manifests as BuildKit writes them', () => {
  const att = attestationManifest(IMG, [
    { predicateType: 'https://spdx.dev/Document', statement: { a: 1 } },
    { predicateType: 'https://slsa.dev/provenance/v1', statement: { b: 2 } },
  ]);
  const manifest = JSON.parse(att.manifest.bytes.toString()) as { config: Descriptor; layers: Descriptor[]; mediaType: string };

  it('holds each statement as an in-toto layer annotated with its predicate type', () => {
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.layers.map((l) => [l.mediaType, l.annotations])).toEqual([
      ['application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' }],
      ['application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' }],
    ]);
    const config = JSON.parse(att.blobs[0].bytes.toString()) as Record<string, unknown>;
    expect(config).toMatchObject({ architecture: 'unknown', os: 'unknown', rootfs: { type: 'layers', diff_ids: manifest.layers.map((l) => l.digest) } });
    for (const b of att.blobs) expect(b.descriptor.digest).toBe(`sha256:${createHash('sha256').update(b.bytes).digest('hex')}`);
  });

  it('points back at the image from the index, as unknown/unknown', () => {
    expect(att.manifest.descriptor.platform).toEqual({ architecture: 'unknown', os: 'unknown' });
    expect(att.manifest.descriptor.annotations).toEqual({ 'vnd.docker.reference.digest': IMG, 'vnd.docker.reference.type': 'attestation-manifest' });
    expect(isAttestation(att.manifest.descriptor)).toBe(true);
  });

  it('puts each image before its attestation in the index', () => {
    const image: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: IMG, size: 10, platform: { architecture: 'amd64', os: 'linux' } };
    const index = JSON.parse(indexWithAttestations([image], [att.manifest.descriptor]).bytes.toString()) as { mediaType: string; manifests: Descriptor[] };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => m.digest)).toEqual([IMG, att.manifest.descriptor.digest]);
  });

  it('is the same bytes for the same statements', () => {
    expect(attestationManifest(IMG, [{ predicateType: 'p', statement: { a: 1 } }]).manifest.descriptor.digest).toBe(attestationManifest(IMG, [{ predicateType: 'p', statement: { a: 1 } }]).manifest.descriptor.digest);
  });
});

describe('cosign keys and signatures', () => {
  it('opens the key cosign generate-key-pair wrote, and signs so that its public key verifies', () => {
    const key = openCosignKey(KEY, PASSWORD);
    expect(publicKeyPem(key).trim()).toBe(PUB.trim());
    const payload = simpleSigningPayload('127.0.0.1:5000/acme/demo', IMG);
    expect(verify('sha256', payload, createPublicKey(PUB), Buffer.from(signPayload(key, payload), 'base64'))).toBe(true);
  });

  it('writes the simple-signing payload as cosign does', () => {
    expect(simpleSigningPayload('r/x', IMG).toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"r/x"},"image":{"docker-manifest-digest":"${IMG}"},"type":"cosign container image signature"},"optional":null}`,
    );
  });

  it.each([
    ['a wrong password', KEY, 'nope', "Input 'signing-password': does not open `signing-key`"],
    ['a PEM certificate', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', PASSWORD, "Input 'signing-key': is not a cosign private key; expected the cosign.key"],
    ['the public key', PUB, PASSWORD, "Input 'signing-key': is not a cosign private key"],
    ['a garbled body', '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nbm90IGpzb24=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----', PASSWORD, 'is not the JSON cosign writes'],
  ])('refuses %s, quoting neither secret', (_, pem, pw, message) => {
    let err: unknown;
    try {
      openCosignKey(pem, pw);
    } catch (e) {
      err = e;
    }
    expect(String(err)).toContain(message);
    expect(String(err)).not.toContain(pw);
    expect(String(err)).not.toContain(KEY.split('\n')[1]);
  });

  it('keeps the signatures already there and adds ours once', () => {
    const payload = simpleSigningPayload('r/x', IMG);
    const a = signatureLayer(payload, 'c2lnLWE=').descriptor;
    const b = signatureLayer(payload, 'c2lnLWI=').descriptor;
    const { manifest, config } = signatureManifest([a, b, a]);
    const m = JSON.parse(manifest.bytes.toString()) as { config: Descriptor; layers: Descriptor[] };
    expect(m.config).toEqual({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.descriptor.digest, size: config.bytes.length });
    expect(m.layers.map((l) => [l.mediaType, l.digest, l.annotations?.['dev.cosignproject.cosign/signature']])).toEqual([
      ['application/vnd.dev.cosign.simplesigning.v1+json', digestOf(payload), 'c2lnLWE='],
      ['application/vnd.dev.cosign.simplesigning.v1+json', digestOf(payload), 'c2lnLWI='],
    ]);
    expect(signatureTag(IMG)).toBe(`sha256-${'1'.repeat(64)}.sig`);
  });
});

describe('supply inputs', () => {
  const reader = (v: Record<string, string>) => (n: string) => v[n] ?? '';
  const plain = { signatureFormat: 'auto', attestations: 'auto', sigstore: { trustedRoot: '', signingConfig: '' } };
  it.each([
    [{}, { sbom: false, provenance: false, sign: 'none', ...plain }],
    [{ sbom: 'true', provenance: 'true' }, { sbom: true, provenance: true, sign: 'none', ...plain }],
    [{ provenance: 'mode=max' }, { sbom: false, provenance: false, sign: 'none', ...plain }],
    [{ sign: 'keyless', 'signature-format': 'tag', attestations: 'referrers', 'sigstore-trusted-root': 'root.json' }, { sbom: false, provenance: false, sign: 'keyless', signatureFormat: 'tag', attestations: 'referrers', sigstore: { trustedRoot: 'root.json', signingConfig: '' } }],
  ])('%j', (v, want) => expect(parseSupply(reader(v), { env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://runner/token' } })).toEqual(want));

  it('keyless without id-token: write fails naming the permission, unless the run pushes nothing', () => {
    expect(() => parseSupply(reader({ sign: 'keyless' }), { env: {} })).toThrow("Input 'sign': keyless needs the job's OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job `permissions: id-token: write`");
    expect(parseSupply(reader({ sign: 'keyless' }), { env: {}, pushes: false }).sign).toBe('keyless');
  });

  it('opens the key when sign is key', () => {
    const o = parseSupply(reader({ sign: 'key', 'signing-key': KEY, 'signing-password': PASSWORD }));
    expect(o.key?.asymmetricKeyType).toBe('ec');
    expect(wantsSupply(o)).toBe(true);
    expect(JSON.stringify(o)).not.toContain(PASSWORD);
  });

  it.each([
    [{ sign: 'cosign' }, "Input 'sign': \"cosign\" is not one of none, key, keyless."],
    [{ sign: 'keyless', 'signing-key': KEY }, "Input 'signing-key': is set, but `sign: keyless` signs with a short-lived certificate and no key"],
    [{ 'sigstore-trusted-root': 'r.json' }, "Input 'sigstore-trusted-root': only applies to `sign: keyless`"],
    [{ attestations: 'inline' }, "Input 'attestations': \"inline\" is not one of auto, index, referrers."],
    [{ sign: 'key', 'signature-format': 'bundle' }, "Input 'signature-format': \"bundle\" is not one of auto, referrers, tag."],
    [{ sign: 'key' }, "Input 'signing-key': is empty"],
    [{ sbom: 'yes' }, "Input 'sbom'"],
  ])('refuses %j', (v, message) => expect(() => parseSupply(reader(v), { env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://runner/token' } })).toThrow(message));

  it('masks every line of the key and the password', () => {
    const lines = secretLines(reader({ 'signing-key': KEY, 'signing-password': ` ${PASSWORD} ` }));
    expect(lines).toContain(` ${PASSWORD} `);
    expect(lines).toContain(PASSWORD);
    for (const l of KEY.split('\n').filter((x) => x && !x.startsWith('-----'))) expect(lines).toContain(l.trim());
    expect(lines.some((l) => l.startsWith('-----'))).toBe(false);
  });
});

describe('pushedImages', () => {
  it('groups the pushed tags by repository, with the identity cosign signs', () => {
    const d = `sha256:${'2'.repeat(64)}`;
    const [ab, abc, hub] = ['127.0.0.1:5000/a/b', '127.0.0.1:5000/a/bc', 'acme/app'].map((n) => parseImageName(n, 'images'));
    expect(
      pushedImages([
        { ref: '127.0.0.1:5000/a/b:1.0', image: ab, tag: '1.0', digest: d, attempts: 1 },
        { ref: '127.0.0.1:5000/a/bc:1.0', image: abc, tag: '1.0', digest: d, attempts: 1 },
        { ref: '127.0.0.1:5000/a/b:latest', image: ab, tag: 'latest', digest: d, attempts: 1 },
        { ref: 'acme/app:1.0', image: hub, tag: '1.0', digest: d, attempts: 1 },
      ]),
    ).toEqual([
      { name: '127.0.0.1:5000/a/b', registry: '127.0.0.1:5000', repository: 'a/b', dockerReference: '127.0.0.1:5000/a/b', digest: d, tags: ['1.0', 'latest'] },
      { name: '127.0.0.1:5000/a/bc', registry: '127.0.0.1:5000', repository: 'a/bc', dockerReference: '127.0.0.1:5000/a/bc', digest: d, tags: ['1.0'] },
      { name: 'acme/app', registry: 'docker.io', repository: 'acme/app', dockerReference: 'index.docker.io/acme/app', digest: d, tags: ['1.0'] },
    ]);
  });
});

describe('the job summary', () => {
  it('lists the package count, the provenance subject and each signature', () => {
    const md = summaryMarkdown({
      ...newRecord(),
      supply: { sbom: { packages: 52 }, provenance: { subject: [{ name: 'pkg:docker/r/x@1.0', digest: { sha256: '3'.repeat(64) } }] }, signatures: ['r/x:sha256-1.sig', 's/x:sha256-1.sig'] },
    });
    expect(md).toContain('**SBOM:** SPDX 2.3, 52 packages');
    expect(md).toContain(`**Provenance:** SLSA v1 for \`pkg:docker/r/x@1.0\` (\`sha256:${'3'.repeat(64)}\`)`);
    expect(md).toContain('**Signature:** `r/x:sha256-1.sig`<br>**Signature:** `s/x:sha256-1.sig`');
  });
});
