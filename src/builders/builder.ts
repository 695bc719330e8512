import type { RegistryResult } from './buildkit/publish.js';
import type { PushResult } from './buildkit/push.js';
import type { ImageStats } from '../report/summary.js';
import type { Meta } from '../tags/index.js';
import type { ResolvedBase } from './base.js';
import type { Target } from '../targets.js';

export interface Built {
  /** 'native', 'buildx' or 'docker build'. */
  builder: string;
  /** The local engine's image ID (docker), or the config digest (native, first platform). */
  imageId: string;
  /** The base the builder built on, as it resolved it; undefined for scratch, or a base BuildKit alone could read. */
  base?: ResolvedBase;
}

export interface Published {
  pushes: PushResult[];
  results: RegistryResult[];
  /** Size and layers of the pushed image, when the builder knows them without asking an engine. */
  stats?: ImageStats;
}

/** How `publish` leaves the image: tagged (manifests by digest first, tags last), or by digest only (a push-by-digest leg). */
export type PublishMode = 'tags' | 'digest';

/**
 * The two ways to make the image: the same two steps, build (no push) and publish (by digest, tags last), both
 * given the run's publish targets (each image with its tags), worked out once.
 */
export interface ImageBuilder {
  build(meta: Meta, targets: readonly Target[], jar: string | undefined): Promise<Built>;
  /** With mode 'digest', `pushes` hold `<image>@<digest>` references, one per target, and no tag is written anywhere. */
  publish(targets: readonly Target[], mode: PublishMode): Promise<Published>;
}
