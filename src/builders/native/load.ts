import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { execute } from '../../exec.js';
import { blockPadding, headerBlocks, TAR_END } from '../../oci/tar.js';
import type { Manifest } from '../../oci/manifest.js';
import type { RegistryClient } from '../../registry/client.js';
import type { PlatformImage } from './assemble.js';

const hex = (digest: string): string => digest.replace(/^sha256:/, '');

/** A member of the archive: bytes in memory, or a file on disk (a base layer, never read whole). */
export interface ArchiveMember {
  path: string;
  source: Buffer | { file: string; size: number };
}

/** `docker save`'s format for one image: manifest.json, the config, each (compressed) layer under its digest, by path. Pure. */
export function dockerArchive(config: { digest: string; data: Buffer }, layers: readonly { digest: string; source: ArchiveMember['source'] }[], tags: readonly string[]): ArchiveMember[] {
  const manifest = [{ Config: `blobs/sha256/${hex(config.digest)}`, RepoTags: [...tags], Layers: layers.map((l) => `blobs/sha256/${hex(l.digest)}`) }];
  const blobs = new Map<string, ArchiveMember['source']>([[config.digest, config.data], ...layers.map((l) => [l.digest, l.source] as const)]);
  const members = [{ path: 'manifest.json', source: Buffer.from(JSON.stringify(manifest)) }, ...[...blobs].map(([d, source]) => ({ path: `blobs/sha256/${hex(d)}`, source }))];
  return members.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
}

/** Writes the members as a tar into `file`, copying file members in chunks. */
export function writeArchive(file: string, members: readonly ArchiveMember[]): void {
  const out = openSync(file, 'w', 0o600);
  try {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (const m of members) {
      const size = Buffer.isBuffer(m.source) ? m.source.length : m.source.size;
      for (const b of headerBlocks({ path: m.path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0 }, size)) writeAll(out, b);
      if (Buffer.isBuffer(m.source)) writeAll(out, m.source);
      else {
        const src = openSync(m.source.file, 'r');
        try {
          let left = size;
          for (let n = 1; left > 0 && n > 0; left -= n) {
            n = readSync(src, chunk, 0, Math.min(chunk.length, left), null);
            writeAll(out, chunk.subarray(0, n));
          }
          if (left !== 0) throw new Error(`${m.source.file} is shorter than ${size} bytes`);
        } finally {
          closeSync(src);
        }
      }
      writeAll(out, blockPadding(size));
    }
    writeAll(out, TAR_END);
  } finally {
    closeSync(out);
  }
}

/**
 * `load: true`: the first platform into the local engine, when there is one. Needs the base's layers, so only
 * here are they downloaded, to files under `dir` (checked against their descriptors, never held in memory).
 * Returns what happened, for the log.
 */
export async function loadIntoEngine(
  image: PlatformImage & { layers: readonly { digest: string; data?: Buffer }[] },
  base: { client: RegistryClient; repository: string; layers: Manifest['layers'] },
  tags: readonly string[],
  dir: string,
): Promise<string> {
  const engine = await execute('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 30 * 1000 }).catch(() => undefined);
  if (engine?.code !== 0) return 'load: true, but no Docker engine answers here: the image is only in the registries.';
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(path.join(dir, 'image-publish-load-'));
  try {
    const baseLayers = [];
    for (const [i, l] of base.layers.entries()) {
      const file = path.join(work, `base-${i}`);
      await base.client.downloadBlob(base.repository, l, file);
      baseLayers.push({ digest: l.digest, source: { file, size: l.size } });
    }
    const own = image.layers.map((l) => {
      if (!l.data) throw new Error(`layer ${l.digest} has no bytes to load`);
      return { digest: l.digest, source: l.data };
    });
    const file = path.join(work, 'image-publish-load.tar');
    writeArchive(file, dockerArchive(image.config, [...baseLayers, ...own], tags));
    const res = await execute('docker', ['load', '--input', file], { timeoutMs: 10 * 60 * 1000, tailLines: 5 });
    if (res.code !== 0) throw new Error(`docker load failed: ${res.tail.join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return `Loaded into the local engine: ${tags.join(', ') || image.config.digest}.`;
}
