import type { HitKind } from './cache/keys.js';
import type { PushResult } from './image/push.js';
import type { Inputs } from './inputs.js';
import type { Meta } from './tags/index.js';

export interface RunReport {
  meta: Meta;
  inputs: Inputs;
  pushes: PushResult[];
  imageId: string;
  builder: string;
  artifact?: string;
  cacheHit: { dependencies: HitKind; layers: HitKind };
  reproducible: boolean;
  timings: Record<string, number>;
}

/** The `metadata` output: what was published where, and how long each stage took. Pure. */
export function metadataJson(r: RunReport): string {
  const digest = r.pushes[0]?.digest ?? '';
  const registries = [...new Set(r.inputs.images.map((i) => i.registry))].map((registry) => {
    const names = r.inputs.images.filter((i) => i.registry === registry).map((i) => `${i.name}:`);
    const refs = r.pushes.filter((p) => names.some((n) => p.ref.startsWith(n)));
    return { registry, refs: refs.map((p) => p.ref), digest: refs[0]?.digest ?? '', pushed: refs.length > 0 };
  });
  return JSON.stringify({
    refs: r.meta.tags,
    digest,
    imageId: r.imageId,
    builder: r.builder,
    artifact: r.artifact,
    registries,
    cacheHit: r.cacheHit,
    reproducible: r.reproducible,
    timings: r.timings,
  });
}
