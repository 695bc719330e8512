import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docker, uniqueRepo, workspace, type Services, type Workspace } from './services.ts';

/** Images for the fault tests: layers of random bytes, new to every registry and to the engine's push records. */

/** A Docker config directory of its own, logged in to the test registry (the password goes on stdin). */
export function loggedInConfig(s: Services): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-faults-cfg-'));
  execFileSync('docker', ['--config', dir, 'login', '--username', s.user, '--password-stdin', s.registry], { input: s.password, stdio: ['pipe', 'ignore', 'ignore'] });
  return dir;
}

/** A workspace whose Dockerfile needs no jar: `from`, and one layer of `bytes` random bytes. */
export function randomLayerWorkspace(from: string, bytes: number): Workspace {
  const w = workspace('__tests__/fixtures/maven-shaded');
  writeFileSync(path.join(w.dir, 'payload.bin'), randomBytes(bytes));
  writeFileSync(path.join(w.dir, 'Dockerfile'), `FROM ${from}\nCOPY payload.bin /payload.bin\n`);
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: w.dir, encoding: 'utf8' }).trim();
  git('add', '-A');
  git('commit', '-q', '-m', 'a random layer');
  w.sha = git('rev-parse', 'HEAD');
  return w;
}

/** The digest a plain `docker push` of the same engine image to a fresh repository gets: the push without faults. */
export function cleanPushDigest(s: Services, imageId: string): string {
  const ref = `${s.registry}/${uniqueRepo('faults-clean')}:clean`;
  const config = loggedInConfig(s);
  docker(['image', 'tag', imageId, ref]);
  const out = execFileSync('docker', ['--config', config, 'push', ref], { encoding: 'utf8' });
  docker(['image', 'rm', ref]);
  return /digest: (sha256:[0-9a-f]{64})/.exec(out)![1];
}

/** Pushes a one-layer image of random bytes, built as an OCI layout (the engine never holds its layer), with skopeo. */
export function pushRandomBase(s: Services, ref: string, bytes: number): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-faults-base-'));
  const blobs = path.join(dir, 'layout', 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(path.join(dir, 'base.bin'), randomBytes(bytes));
  execFileSync('tar', ['-C', dir, '-cf', path.join(dir, 'layer.tar'), 'base.bin']);
  const blob = (data: Buffer): { digest: string; size: number } => {
    const hex = createHash('sha256').update(data).digest('hex');
    writeFileSync(path.join(blobs, hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const layer = blob(readFileSync(path.join(dir, 'layer.tar')));
  const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    ),
  );
  writeFileSync(path.join(dir, 'layout', 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }] }));
  writeFileSync(path.join(dir, 'layout', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const authfile = path.join(loggedInConfig(s), 'config.json');
  execFileSync('skopeo', ['copy', '-q', '--authfile', authfile, '--dest-tls-verify=false', `oci:${path.join(dir, 'layout')}`, `docker://${ref}`], { stdio: 'ignore', timeout: 120_000 });
}
