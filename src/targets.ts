/** The run's publish targets: each image of the `images` input with the bare tags it gets, worked out once. */
import type { ImageName } from './oci/name.js';

/** One repository this run publishes to, and the tags it gets there (bare: `1.2.3`, never `name:1.2.3`). */
export interface Target {
  image: ImageName;
  tags: string[];
}

/** Every enabled image with every tag name the metadata computed, in the inputs' order (metadata-action's `tags`). Pure. */
export function publishTargets(images: readonly ImageName[], tagNames: readonly string[]): Target[] {
  return images.map((image) => ({ image, tags: [...tagNames] }));
}

/** `name:tag`, for an argv, a log line or an output. Pure. */
export function tagRef(image: Pick<ImageName, 'name'>, tag: string): string {
  return `${image.name}:${tag}`;
}

/** `name@digest`. Pure. */
export function digestRef(image: Pick<ImageName, 'name'>, digest: string): string {
  return `${image.name}@${digest}`;
}

/** Every `name:tag` of the targets, target by target. Pure. */
export function targetRefs(targets: readonly Target[]): string[] {
  return targets.flatMap((t) => t.tags.map((tag) => tagRef(t.image, tag)));
}

/** The targets of each registry, registries in the order they first appear. Pure. */
export function targetsByRegistry(targets: readonly Target[]): Map<string, Target[]> {
  const out = new Map<string, Target[]>();
  for (const t of targets) out.set(t.image.registry, [...(out.get(t.image.registry) ?? []), t]);
  return out;
}
