import type { CacheHits } from './cache/keys.js';
import type { PushResult } from './builders/buildkit/push.js';
import type { RegistryResult } from './builders/buildkit/publish.js';
import type { SupplyReport } from './stages/supply.js';
import type { Meta } from './tags/index.js';

export interface RunReport {
  meta: Meta;
  results: RegistryResult[];
  pushes: PushResult[];
  imageId: string;
  builder: string;
  artifact?: string;
  cacheHit: CacheHits;
  reproducible: boolean;
  timings: Record<string, number>;
  /** SBOM package count, provenance subject, signature references, when the supply-chain step ran. */
  supply?: SupplyReport;
}

/** The `metadata` output: what was published where, and how long each stage took. Pure. */
export function metadataJson(r: RunReport): string {
  const digest = r.pushes[0]?.digest ?? '';
  return JSON.stringify({
    refs: r.meta.tags,
    digest,
    imageId: r.imageId,
    builder: r.builder,
    artifact: r.artifact,
    // as documented: registry, refs, digest, pushed, error, uploadedBytes (the targets are in refs already)
    registries: r.results.map(({ targets: _, ...rest }) => rest),
    cacheHit: r.cacheHit,
    reproducible: r.reproducible,
    timings: r.timings,
    supply: r.supply,
  });
}
