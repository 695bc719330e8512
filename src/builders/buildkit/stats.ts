import { execute } from '../../exec.js';
import { isAttestation } from '../../oci/media.js';
import type { ImageName } from '../../oci/name.js';
import { digestRef } from '../../targets.js';
import type { ImageStats } from '../../report/summary.js';

interface Manifest {
  mediaType?: string;
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
  layers?: { size: number }[];
}

/** Compressed size and layer count of a manifest; an index goes to its first real platform. Pure. */
export function manifestStats(m: Manifest): ImageStats | undefined {
  if (!m.layers) return undefined;
  return { bytes: m.layers.reduce((n, l) => n + (l.size ?? 0), 0), layers: m.layers.length, compressed: true };
}

async function rawManifest(ref: string, dockerEnv: Record<string, string>, builder?: string): Promise<Manifest | undefined> {
  const r = await execute('docker', ['buildx', 'imagetools', 'inspect', ...(builder ? ['--builder', builder] : []), '--raw', '--', ref], { env: dockerEnv, timeoutMs: 60 * 1000 }).catch(() => undefined);
  if (r?.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as Manifest;
  } catch {
    return undefined;
  }
}

/** What the registry holds for a pushed image by digest; best effort, for the summary only. */
export async function pushedStats(image: Pick<ImageName, 'name'>, digest: string, dockerEnv: Record<string, string>, builder?: string): Promise<ImageStats | undefined> {
  const top = await rawManifest(digestRef(image, digest), dockerEnv, builder);
  if (!top) return undefined;
  if (top.layers) return manifestStats(top);
  const pick = top.manifests?.find((m) => !isAttestation(m));
  const inner = pick ? await rawManifest(digestRef(image, pick.digest), dockerEnv, builder) : undefined;
  return inner ? manifestStats(inner) : undefined;
}

/** The local image's size and layers, when nothing was pushed. */
export async function localStats(imageId: string, dockerEnv: Record<string, string>): Promise<ImageStats | undefined> {
  const r = await execute('docker', ['image', 'inspect', '--format', '{{.Size}} {{len .RootFS.Layers}}', '--', imageId], { env: dockerEnv, timeoutMs: 30 * 1000 }).catch(() => undefined);
  const m = /^(\d+) (\d+)$/.exec(r?.stdout.trim() ?? '');
  return m ? { bytes: Number(m[1]), layers: Number(m[2]), compressed: false } : undefined;
}
