import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
let authFile: string;
let bases: string;
let real: string;
let decoy: string;

function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { env: { ...process.env, DOCKER_CONFIG: path.dirname(authFile) }, encoding: 'utf8', timeout: 3 * 60 * 1000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

const skopeo = (...args: string[]): string => tool('skopeo', [args[0], '--authfile', authFile, '--tls-verify=false', ...args.slice(1)]);
const rawManifest = (ref: string): { manifests?: { digest: string; platform?: { os: string } }[]; annotations?: Record<string, string> } => JSON.parse(skopeo('inspect', '--raw', `docker://${ref}`)) as never;
const digestOf = (ref: string): string => skopeo('inspect', '--format', '{{.Digest}}', `docker://${ref}`).trim();

beforeAll(() => {
  s = services();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-dockerfile-auth-'));
  authFile = path.join(dir, 'config.json');
  writeFileSync(authFile, JSON.stringify({ auths: { [s.registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }));
  // the real base, and a decoy tag of another digest that a re-parse of the Dockerfile would name
  bases = `${s.registry}/${uniqueRepo('dockerfile-base')}`;
  skopeo('copy', '--dest-authfile', authFile, '--dest-tls-verify=false', '--src-tls-verify=false', `docker://${s.baseImage}`, `docker://${bases}:17`);
  skopeo('copy', '--format', 'v2s2', '--dest-authfile', authFile, '--dest-tls-verify=false', '--src-tls-verify=false', `docker://${s.baseImage}`, `docker://${bases}:17-rich`);
  real = digestOf(`${bases}:17`);
  decoy = digestOf(`${bases}:17-rich`);
}, 5 * 60 * 1000);

/** Under # escape=`, the line reading FROM …:17-rich continues the ENV: the image is built on :17. */
function dockerfile(): string {
  return ['# escape=`', `FROM ${bases}:17`, 'ENV NOTE built on `', `FROM ${bases}:17-rich`, 'ARG JAR_FILE', 'COPY ${JAR_FILE} app.jar', 'ENTRYPOINT ["java","-jar","./app.jar"]', ''].join('\n');
}

async function release(repo: string, builder: string): Promise<ActionRun> {
  const ws = prebuiltWorkspace();
  writeFileSync(path.join(ws.dir, 'Dockerfile'), dockerfile());
  return runAction({
    workspace: ws.dir,
    event: tagEvent(ws.sha, 'v1.0.0'),
    env: { ...ws.env, GITHUB_ACTION_REPOSITORY: 'acme/image-publish', GITHUB_ACTION_REF: 'v1' },
    inputs: { images: `${s.registry}/${repo}`, tags: 'type=semver,pattern={{version}}', registry: s.registry, username: s.user, password: s.password, builder, sbom: 'true', provenance: 'true', ...PREBUILT },
  });
}

interface Sbom {
  packages: { SPDXID: string; name: string; versionInfo?: string; checksums?: { checksumValue: string }[] }[];
}
interface Provenance {
  buildDefinition: { resolvedDependencies: { uri: string; digest: Record<string, string> }[] };
}

/** A blob of `<registry>/<repo>` as JSON, fetched with the test login. */
async function blobJson(repo: string, digest: string): Promise<unknown> {
  const res = await fetch(`http://${s.registry}/v2/${repo}/blobs/${digest}`, { headers: { authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}` }, signal: AbortSignal.timeout(10000) });
  if (!res.ok) throw new Error(`blob ${repo}@${digest}: HTTP ${res.status}`);
  return res.json();
}

/** The SBOM and provenance predicates of the image's attestation manifests, read from the registry. */
async function attestations(repo: string, tag: string): Promise<{ sbom: Sbom; provenance: Provenance }> {
  const index = rawManifest(`${s.registry}/${repo}:${tag}`);
  const found: Record<string, unknown> = {};
  for (const att of index.manifests!.filter((m) => m.platform?.os === 'unknown')) {
    const manifest = rawManifest(`${s.registry}/${repo}@${att.digest}`) as { layers?: { digest: string; annotations?: Record<string, string> }[] };
    for (const l of manifest.layers ?? []) {
      const type = l.annotations?.['in-toto.io/predicate-type'] ?? '';
      const key = type.includes('spdx') ? 'sbom' : type.includes('slsa.dev/provenance/v1') ? 'provenance' : undefined;
      if (key && !found[key]) found[key] = ((await blobJson(repo, l.digest)) as { predicate: unknown }).predicate;
    }
  }
  return found as { sbom: Sbom; provenance: Provenance };
}

describe.each(['native', 'docker'])('# escape=` with sbom and provenance, builder: %s', (builder) => {
  const repo = uniqueRepo(`dockerfile-${builder}`);
  let run: ActionRun;
  beforeAll(async () => {
    run = await release(repo, builder);
  }, 10 * 60 * 1000);

  it('pushes, and the decoy tag is another digest', () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain(builder === 'native' ? 'Builder: native' : 'Builder: docker');
    expect(real).not.toBe(decoy);
    // BuildKit builds on the digest resolved before the build (its named context), not on a tag it reads again
    if (builder === 'docker') expect(run.main.log).toContain(`${bases}@${real}`);
  });

  it('the SBOM and the provenance name the real base by its digest, never the decoy', async () => {
    const { sbom, provenance } = await attestations(repo, '1.0.0');
    const base = sbom.packages.find((p) => p.SPDXID === 'SPDXRef-BaseImage')!;
    expect(base).toMatchObject({ name: bases, versionInfo: '17' });
    expect(base.checksums?.[0].checksumValue).toBe(real.replace('sha256:', ''));
    const dep = provenance.buildDefinition.resolvedDependencies.find((d) => d.uri.startsWith('pkg:docker/'))!;
    expect(dep).toEqual({ uri: `pkg:docker/${bases}:17`, digest: { sha256: real.replace('sha256:', '') }, annotations: { role: 'base image' } });
    expect(JSON.stringify({ sbom, provenance })).not.toContain(decoy.replace('sha256:', ''));
  });

  it('the image manifest carries the base annotations (#22): the reference as resolved, and the base manifest digest', () => {
    const index = rawManifest(`${s.registry}/${repo}:1.0.0`);
    const image = index.manifests!.find((m) => m.platform?.os === 'linux')!;
    const manifest = JSON.parse(tool('docker', ['buildx', 'imagetools', 'inspect', '--raw', `${s.registry}/${repo}@${image.digest}`])) as { annotations?: Record<string, string> };
    expect(manifest.annotations).toMatchObject({ 'org.opencontainers.image.base.name': `${bases}:17`, 'org.opencontainers.image.base.digest': real });
  });
});
