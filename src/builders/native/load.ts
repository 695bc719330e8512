import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execute } from '../../exec.js';
import { writeTar, type LayerEntry } from '../../oci/tar.js';
import type { Manifest } from '../../oci/manifest.js';
import type { RegistryClient } from '../../registry/client.js';
import type { PlatformImage } from './assemble.js';

const hex = (digest: string): string => digest.replace(/^sha256:/, '');

/** `docker save`'s format for one image: manifest.json, the config, each (compressed) layer under its digest. Pure. */
export function dockerArchive(config: { digest: string; data: Buffer }, layers: readonly { digest: string; data: Buffer }[], tags: readonly string[]): Buffer {
  const file = (p: string, data: Buffer): LayerEntry => ({ path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, data });
  const manifest = [{ Config: `blobs/sha256/${hex(config.digest)}`, RepoTags: [...tags], Layers: layers.map((l) => `blobs/sha256/${hex(l.digest)}`) }];
  const blobs = new Map<string, Buffer>([[config.digest, config.data], ...layers.map((l) => [l.digest, l.data] as [string, Buffer])]);
  return writeTar([file('manifest.json', Buffer.from(JSON.stringify(manifest))), ...[...blobs].map(([d, data]) => file(`blobs/sha256/${hex(d)}`, data))]);
}

/**
 * `load: true`: the first platform into the local engine, when there is one. Needs the base's layers, so only
 * here are they downloaded. Returns what happened, for the log.
 */
export async function loadIntoEngine(
  image: PlatformImage & { layers: readonly { digest: string; data?: Buffer }[] },
  base: { client: RegistryClient; repository: string; layers: Manifest['layers'] },
  tags: readonly string[],
  dir: string,
): Promise<string> {
  const engine = await execute('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 30 * 1000 }).catch(() => undefined);
  if (engine?.code !== 0) return 'load: true, but no Docker engine answers here: the image is only in the registries.';
  const baseLayers = [];
  for (const l of base.layers) baseLayers.push({ digest: l.digest, data: await base.client.getBlob(base.repository, l.digest, l.size) });
  const own = image.layers.map((l) => {
    if (!l.data) throw new Error(`layer ${l.digest} has no bytes to load`);
    return { digest: l.digest, data: l.data };
  });
  const file = path.join(dir, 'image-publish-load.tar');
  writeFileSync(file, dockerArchive(image.config, [...baseLayers, ...own], tags));
  const res = await execute('docker', ['load', '--input', file], { timeoutMs: 10 * 60 * 1000, tailLines: 5 });
  if (res.code !== 0) throw new Error(`docker load failed: ${res.tail.join(' ')}`);
  return `Loaded into the local engine: ${tags.join(', ') || image.config.digest}.`;
}
