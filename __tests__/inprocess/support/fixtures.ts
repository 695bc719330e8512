import { digestOf } from '../../../src/oci/digest.ts';
import { gzipFixed } from '../../../src/oci/gzip.ts';
import { writeTar } from '../../../src/oci/tar.ts';
import { contextWorkspace } from '../../support/native.ts';
import { MemoryRegistry } from './registry.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export const USER = 'ci-user';
export const PASSWORD = 'memory-registry-password-5a1e';

/** A registry with one user, started; stop it in afterAll. */
export async function startRegistry(opts: ConstructorParameters<typeof MemoryRegistry>[0] = {}): Promise<MemoryRegistry> {
  const reg = new MemoryRegistry({ users: { [USER]: PASSWORD }, ...opts });
  await reg.start();
  return reg;
}

/** `registry`, `username`, `password` for one registry. */
export function login(reg: MemoryRegistry): Record<string, string> {
  return { registry: reg.host, username: USER, password: PASSWORD };
}

/** A committed workspace with a jar and a Dockerfile every builder accepts (no RUN), based on `base`. */
export function appWorkspace(base = '127.0.0.1:5000/base/jre:17', extra: Record<string, string> = {}): { dir: string; sha: string } {
  return contextWorkspace({ Dockerfile: `FROM ${base}\nCOPY app.jar /app.jar\nENTRYPOINT ["java","-jar","/app.jar"]\n`, 'app.jar': 'PK not really a jar\n', ...extra });
}

/** Inputs for a run that pushes the workspace's jar with the fake builder (as `native`: no engine login). */
export function pushInputs(reg: MemoryRegistry, repo: string, extra: Record<string, string> = {}): Record<string, string> {
  return { images: `${reg.host}/${repo}`, 'java-tool': 'none', builder: 'native', cache: 'false', ...login(reg), ...extra };
}

/**
 * A base image in `reg`: for each platform a config and one gzip layer (a file naming the platform), and for more
 * than one platform an OCI index over them. Returns the digest the tag names.
 */
export function seedBase(reg: MemoryRegistry, repo: string, tag: string, platforms: readonly string[]): string {
  const manifests = platforms.map((platform) => {
    const tar = writeTar([{ path: 'etc/platform', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, data: Buffer.from(`${platform}\n`) }]);
    const layer = gzipFixed(tar);
    const [os, architecture, variant] = platform.split('/');
    const config = Buffer.from(JSON.stringify({ architecture, os, ...(variant ? { variant } : {}), config: { Env: ['PATH=/usr/bin:/bin'] }, rootfs: { type: 'layers', diff_ids: [digestOf(tar)] } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: reg.seedBlob(repo, config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: reg.seedBlob(repo, layer), size: layer.length }],
      }),
    );
    const single = platforms.length === 1;
    return { digest: reg.seedManifest(repo, OCI_MANIFEST, manifest, single ? tag : undefined), size: manifest.length, platform: { os, architecture, ...(variant ? { variant } : {}) } };
  });
  if (platforms.length === 1) return manifests[0].digest;
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: manifests.map((m) => ({ mediaType: OCI_MANIFEST, ...m })) }));
  return reg.seedManifest(repo, OCI_INDEX, index, tag);
}
