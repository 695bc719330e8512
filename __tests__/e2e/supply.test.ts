import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withEngineTrust } from '../support/engine-trust.ts';
import type { ActionRun } from '../support/runner.ts';
import { registryDigest, services, uniqueRepo, warmedMavenRepository, type Services } from '../support/services.ts';
import { publishRelease, springBootJar } from '../support/supply.ts';

let s: Services;
let jar: string;
let keys: { dir: string; key: string; pub: string; password: string };
let dockerConfig: string;

/** A fresh key pair from Debian's cosign, as a user makes one. */
function cosignKeys(): typeof keys {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-cosign-'));
  const password = `pw-${Math.random().toString(36).slice(2)}-e2e`;
  execFileSync('cosign', ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password }, stdio: 'ignore', timeout: 60 * 1000 });
  return { dir, key: readFileSync(path.join(dir, 'cosign.key'), 'utf8'), pub: path.join(dir, 'cosign.pub'), password };
}

beforeAll(() => {
  s = services();
  jar = springBootJar();
  keys = cosignKeys();
  dockerConfig = mkdtempSync(path.join(os.tmpdir(), 'ip-supply-docker-'));
  const auth = Buffer.from(`${s.user}:${s.password}`).toString('base64');
  writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [s.registry]: { auth }, [s.tlsRegistry]: { auth } } }));
}, 15 * 60 * 1000);

/** A workspace of the Spring Boot fixture with its jar already built, published with `java-tool: none`. */
function publish(repo: string, extra: Record<string, string>): Promise<ActionRun> {
  return publishRelease(s, jar, repo, extra);
}

function tool(cmd: string, args: string[], env: Record<string, string> = {}): { code: number; out: string } {
  const r = spawnSync(cmd, args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig, ...env }, encoding: 'utf8', timeout: 2 * 60 * 1000 });
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** imagetools' `.SBOM`/`.Provenance` of a single-platform image: the platform's entry. */
function inspect<T>(ref: string, field: 'SBOM' | 'Provenance'): T {
  const r = tool('docker', ['buildx', 'imagetools', 'inspect', ref, '--format', `{{json .${field}}}`]);
  expect(r.code, r.out).toBe(0);
  const v = JSON.parse(r.out) as Record<string, unknown>;
  // one platform: buildx prints its entry; several: a map by platform
  return ('SPDX' in v || 'SLSA' in v ? v : Object.values(v)[0]) as T;
}

const verify = (ref: string, env: Record<string, string> = {}): { code: number; out: string } =>
  tool('cosign', ['verify', '--key', keys.pub, '--insecure-ignore-tlog', '--allow-insecure-registry', '--allow-http-registry', ref], env);

/**
 * The versions the Spring Boot parent's pom (spring-boot-dependencies) sets for Spring Framework and Tomcat: what
 * Maven resolved, read from the build's own repository, not from the jar.
 */
function pomVersions(): Map<string, string> {
  const bom = readFileSync(path.join(warmedMavenRepository(), 'org/springframework/boot/spring-boot-dependencies/3.5.16/spring-boot-dependencies-3.5.16.pom'), 'utf8');
  const prop = (name: string): string => new RegExp(`<${name.replace('.', '\\.')}>([^<]+)<`).exec(bom)![1];
  const spring = prop('spring-framework.version');
  return new Map([
    ['spring-core', spring],
    ['spring-web', spring],
    ['tomcat-embed-core', prop('tomcat.version')],
  ]);
}

// image store: the attestations wrap what docker push sent: BuildKit's OCI index (containerd) or a Docker v2 manifest (classic)
describe('sbom, provenance and a signature on a release', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('supply');
  let run: ActionRun;
  beforeAll(async () => {
    run = await publish(repo, { sbom: 'true', provenance: 'true', sign: 'key', 'signing-key': keys.key, 'signing-password': keys.password });
  });

  it('pushes an index that the tag serves and the digest output names', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(await registryDigest(s, repo, '1.0.0')).toBe(run.outputs.digest);
  });

  it('imagetools reads the SBOM: spring-core, spring-web and tomcat-embed-core at their pom versions', () => {
    const sbom = inspect<{ SPDX: { spdxVersion: string; packages: { name: string; versionInfo?: string; externalRefs?: { referenceLocator: string }[]; checksums?: unknown[] }[] } }>(`${s.registry}/${repo}:1.0.0`, 'SBOM');
    expect(sbom.SPDX.spdxVersion).toBe('SPDX-2.3');
    const poms = pomVersions();
    for (const [group, artifact] of [
      ['org.springframework', 'spring-core'],
      ['org.springframework', 'spring-web'],
      ['org.apache.tomcat.embed', 'tomcat-embed-core'],
    ]) {
      const version = poms.get(artifact)!;
      expect(version, artifact).toMatch(/^\d/);
      const pkg = sbom.SPDX.packages.find((p) => p.name === `${group}:${artifact}`);
      expect(pkg, artifact).toBeDefined();
      expect(pkg!.versionInfo).toBe(version);
      expect(pkg!.externalRefs?.[0].referenceLocator).toBe(`pkg:maven/${group}/${artifact}@${version}`);
      expect(pkg!.checksums).toHaveLength(1);
    }
    const base = sbom.SPDX.packages.find((p) => p.name === `${s.registry}/base/jre`);
    expect(base?.versionInfo).toBe('17');
  });

  it('imagetools reads the provenance: this action at its ref, the commit and the jar', () => {
    const prov = inspect<{ SLSA: { runDetails: { builder: { id: string }; byproducts: { name: string }[] }; buildDefinition: { resolvedDependencies: { uri: string; digest: Record<string, string> }[]; externalParameters: { inputs: Record<string, unknown> } } } }>(
      `${s.registry}/${repo}:1.0.0`,
      'Provenance',
    );
    expect(prov.SLSA.runDetails.builder.id).toBe('https://github.com/acme/image-publish@v1');
    expect(prov.SLSA.buildDefinition.resolvedDependencies[0].digest.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(prov.SLSA.runDetails.byproducts[0].name).toBe('target/hello-service-1.0.0.jar');
    expect(JSON.stringify(prov.SLSA.buildDefinition.externalParameters.inputs)).not.toContain(keys.password);
  });

  it('Debian cosign verifies the signature with the public key', () => {
    const r = verify(`${s.registry}/${repo}:1.0.0`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(run.outputs.digest);
  });

  it.each(['spdxjson', 'slsaprovenance1'])('Debian cosign verifies the %s attestation signed with the key (the .att tag)', (type) => {
    const r = tool('cosign', ['verify-attestation', '--key', keys.pub, '--insecure-ignore-tlog', '--type', type, '--allow-insecure-registry', '--allow-http-registry', `${s.registry}/${repo}:1.0.0`]);
    expect(r.code, r.out).toBe(0);
  });

  it('lists the package count, the provenance subject and the signature in metadata and the summary', () => {
    const meta = JSON.parse(run.outputs.metadata) as { digest: string; supply: { sbom: { packages: number }; provenance: { subject: { name: string }[] }; signatures: string[]; attestations: string[] } };
    expect(meta.digest).toBe(run.outputs.digest);
    expect(meta.supply.sbom.packages).toBeGreaterThan(20);
    expect(meta.supply.provenance.subject[0].name).toContain(`${s.registry}/${repo}@1.0.0`);
    expect(meta.supply.signatures).toEqual([`${s.registry}/${repo}:${run.outputs.digest.replace(':', '-')}.sig`]);
    expect(meta.supply.attestations).toEqual([`${s.registry}/${repo}:${run.outputs.digest.replace(':', '-')}.att`]);
    const summary = readFileSync(run.summaryFile, 'utf8');
    expect(summary).toContain(`${meta.supply.sbom.packages} packages`);
    expect(summary).toContain(meta.supply.signatures[0]);
  });

  it('leaves neither secret in any log, output, state or summary', () => {
    expect(run.everything).not.toContain(keys.password);
    for (const line of keys.key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(run.everything).not.toContain(line);
  });

  it('fails verification once the tag is moved to another digest', () => {
    const moved = tool('docker', ['buildx', 'imagetools', 'create', '--tag', `${s.registry}/${repo}:1.0.0`, s.baseImage]);
    expect(moved.code, moved.out).toBe(0);
    const r = verify(`${s.registry}/${repo}:1.0.0`);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/no signatures found|no matching signatures/i);
  });
});

describe('the native builder', () => {
  it('attaches the same SBOM and provenance, and signs, as on the docker path', async () => {
    const repo = uniqueRepo('supply-native');
    const run = await publish(repo, { builder: 'native', sbom: 'true', provenance: 'true', sign: 'key', 'signing-key': keys.key, 'signing-password': keys.password });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain('Builder: native');
    expect(await registryDigest(s, repo, '1.0.0')).toBe(run.outputs.digest);
    const sbom = inspect<{ SPDX: { packages: { name: string; versionInfo?: string }[] } }>(`${s.registry}/${repo}:1.0.0`, 'SBOM');
    expect(sbom.SPDX.packages.find((p) => p.name === 'org.springframework:spring-core')?.versionInfo).toBe(pomVersions().get('spring-core'));
    const prov = inspect<{ SLSA: { runDetails: { builder: { id: string } } } }>(`${s.registry}/${repo}:1.0.0`, 'Provenance');
    expect(prov.SLSA.runDetails.builder.id).toBe('https://github.com/acme/image-publish@v1');
    const r = verify(`${s.registry}/${repo}:1.0.0`);
    expect(r.code, r.out).toBe(0);
  });
});

describe('two registries, one behind the test CA', () => {
  it('signs the digest on each, and cosign verifies both', async () => {
    const repo = uniqueRepo('supply-two');
    const ca = readFileSync(s.caFile, 'utf8');
    const entry = (registry: string, withCa: boolean): string =>
      `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${s.password}\n${withCa ? `  ca: |\n${ca.trim().split('\n').map((l) => `    ${l}`).join('\n')}\n` : ''}`;
    // the docker builder makes the engine trust the test CA until post
    const run = await withEngineTrust(() => publish(repo, {
      images: `${s.registry}/${repo}\n${s.tlsRegistry}/${repo}`,
      registry: '',
      username: '',
      password: '',
      'registry-auth': entry(s.registry, false) + entry(s.tlsRegistry, true),
      sbom: 'true',
      sign: 'key',
      'signing-key': keys.key,
      'signing-password': keys.password,
    }));
    expect(run.main.code, run.main.log).toBe(0);
    const meta = JSON.parse(run.outputs.metadata) as { registries: { registry: string; digest: string }[]; supply: { signatures: string[] } };
    expect(meta.registries.map((r) => r.digest)).toEqual([run.outputs.digest, run.outputs.digest]);
    expect(await registryDigest(s, repo, '1.0.0', s.tlsRegistry)).toBe(run.outputs.digest);
    expect(meta.supply.signatures).toHaveLength(2);
    expect(verify(`${s.registry}/${repo}:1.0.0`).code).toBe(0);
    const tls = verify(`${s.tlsRegistry}/${repo}:1.0.0`, { SSL_CERT_FILE: s.caFile });
    expect(tls.code, tls.out).toBe(0);
  });
});

describe('sbom: true twice on the same commit', () => {
  it('gives the same digest', async () => {
    const repo = uniqueRepo('sbom-twice');
    const first = await publish(repo, { sbom: 'true' });
    expect(first.main.code, first.main.log).toBe(0);
    const second = await publish(repo, { sbom: 'true' });
    expect(second.main.code, second.main.log).toBe(0);
    expect(second.outputs.digest).toBe(first.outputs.digest);
    expect(await registryDigest(s, repo, '1.0.0')).toBe(first.outputs.digest);
    // the tag serves the index with the SBOM, not the bare image docker pushed
    expect(inspect<{ SPDX: { packages: unknown[] } }>(`${s.registry}/${repo}:1.0.0`, 'SBOM').SPDX.packages.length).toBeGreaterThan(20);
  });
});
