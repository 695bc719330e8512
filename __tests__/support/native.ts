import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { branchEvent } from './events.ts';
import { runAction, type ActionRun } from './runner.ts';
import type { Services } from './services.ts';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

async function get(s: Services, repo: string, what: 'manifests' | 'blobs', ref: string): Promise<{ body: Buffer; type: string }> {
  const res = await fetch(`http://${s.registry}/v2/${repo}/${what}/${ref}`, {
    headers: { authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`, accept: ACCEPT },
    signal: AbortSignal.timeout(60000),
  });
  if (!res.ok) throw new Error(`${what} ${repo}@${ref}: HTTP ${res.status}`);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') ?? '' };
}

export interface Listed {
  path: string;
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  link?: string;
}

/** Every entry of a tar (ustar, PAX, GNU long names), as the equivalence table compares them. */
export function listTar(tar: Buffer): Listed[] {
  const out: Listed[] = [];
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number): string => h.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const num = (a: number, n: number): number => parseInt(str(a, n).trim() || '0', 8);
    const size = pax.size ? Number(pax.size) : num(124, 12);
    const flag = str(156, 1) || '0';
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (flag === 'x') {
      for (const m of data.toString('utf8').matchAll(/\d+ ([^=]+)=(.*)\n/g)) pax[m[1]] = m[2];
      continue;
    }
    if (flag === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    const prefix = str(345, 155);
    const name = (pax.path ?? longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100))).replace(/^\.\//, '').replace(/\/$/, '');
    const type = { '0': 'file', '5': 'dir', '2': 'symlink', '1': 'hardlink' }[flag] ?? flag;
    out.push({
      path: name,
      type,
      mode: (num(100, 8) & 0o7777).toString(8),
      uid: pax.uid ? Number(pax.uid) : num(108, 8),
      gid: pax.gid ? Number(pax.gid) : num(116, 8),
      size: type === 'file' ? size : 0,
      ...(type === 'file' ? { sha256: createHash('sha256').update(data).digest('hex') } : {}),
      ...(pax.linkpath || str(157, 100) ? { link: pax.linkpath ?? str(157, 100) } : {}),
    });
    pax = {};
    longName = undefined;
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export interface RegistryImage {
  mediaType: string;
  manifest: { mediaType?: string; manifests?: { digest: string; platform?: Record<string, unknown> }[]; config: { digest: string }; layers: { digest: string; size: number; mediaType: string }[] };
  config: { architecture: string; os: string; config: Record<string, unknown>; history: { created_by?: string; empty_layer?: boolean; comment?: string }[]; rootfs: { diff_ids: string[] } };
}

/** A manifest (or an index, as it is) and, for a manifest, its config, read from the HTTP registry. */
export async function readImage(s: Services, repo: string, ref: string): Promise<RegistryImage> {
  const m = await get(s, repo, 'manifests', ref);
  const manifest = JSON.parse(m.body.toString()) as RegistryImage['manifest'];
  const config = manifest.config ? (JSON.parse((await get(s, repo, 'blobs', manifest.config.digest)).body.toString()) as RegistryImage['config']) : (undefined as never);
  return { mediaType: m.type, manifest, config };
}

/** The listing of each of the last `count` layers of an image. */
export async function lastLayers(s: Services, repo: string, image: RegistryImage, count: number): Promise<Listed[][]> {
  const layers = image.manifest.layers.slice(-count);
  return Promise.all(layers.map(async (l) => listTar(gunzipSync((await get(s, repo, 'blobs', l.digest)).body))));
}

export interface FixtureFile {
  content: string;
  mode?: number;
}

/** A fresh git repository holding the given files, committed at a fixed time. */
export function contextWorkspace(files: Record<string, string | FixtureFile>): { dir: string; sha: string } {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-native-')), 'repo');
  for (const [name, f] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    const spec = typeof f === 'string' ? { content: f } : f;
    writeFileSync(file, spec.content);
    chmodSync(file, spec.mode ?? 0o644);
  }
  const git = (...a: string[]): string => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '2026-11-01T12:00:00Z', GIT_COMMITTER_DATE: '2026-11-01T12:00:00Z' } }).trim();
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'add', '-A');
  git('-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'commit', '-q', '-m', 'fixture');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

/** `docker` with a Docker config of its own, logged in to the HTTP registry, so the shared ~/.docker is left alone. */
export function privateDocker(s: Services): (args: string[]) => string {
  const config = mkdtempSync(path.join(os.tmpdir(), 'ip-dockercfg-'));
  const run = (args: string[], input?: string): string =>
    execFileSync('docker', args, { encoding: 'utf8', input, timeout: 5 * 60 * 1000, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, DOCKER_CONFIG: config } });
  run(['login', s.registry, '-u', s.user, '--password-stdin'], s.password);
  return (args) => run(args);
}

/**
 * One run of the action on a context workspace with `builder`, pushing `<repo>-<builder>:t` in one layer without
 * caches (`extra` adds or overrides inputs); the run, and the image it pushed, read back by digest.
 */
export async function buildWith(s: Services, ws: { dir: string; sha: string }, repo: string, builder: string, extra: Record<string, string> = {}): Promise<{ run: ActionRun; image?: RegistryImage }> {
  const run = await runAction({
    workspace: ws.dir,
    event: branchEvent(ws.sha, 'main'),
    inputs: {
      'java-tool': 'none',
      images: `${s.registry}/${repo}-${builder}`,
      tags: 'type=raw,value=t',
      'build-args': `BASE=${s.baseImage}`,
      registry: s.registry,
      username: s.user,
      password: s.password,
      builder,
      layers: 'single',
      cache: 'false',
      ...extra,
    },
  });
  return { run, image: run.main.code === 0 ? await readImage(s, `${repo}-${builder}`, run.outputs.digest) : undefined };
}
