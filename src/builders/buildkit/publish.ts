import { errorMessage } from '../../errors.js';
import type { RetryPolicy } from '../../retry/retry.js';
import { targetRefs, targetsByRegistry, type Target } from '../../targets.js';
import { finishLocalNames, pushOwn, type OwnImage } from './own.js';
import type { PushResult } from './push.js';

export interface RegistryResult {
  registry: string;
  /** `name:tag` (or `name@digest`) of every reference this registry got, for the `metadata` output. */
  refs: string[];
  digest: string;
  pushed: boolean;
  error?: string;
  /** Bytes this run sent to the registry (native builder only: docker push does not say). */
  uploadedBytes?: number;
  /** Each repository of this registry that got the image, with the tags written there (none for a push by digest). */
  targets: Target[];
}

/** The targets that got something, each with the tags it got, from the pushes of one registry. Pure. */
export function pushedTargets(targets: readonly Target[], pushes: readonly PushResult[]): Target[] {
  return targets
    .filter((t) => pushes.some((p) => p.image === t.image))
    .map((t) => ({ image: t.image, tags: pushes.flatMap((p) => (p.image === t.image && p.tag !== undefined ? [p.tag] : [])) }));
}

/**
 * Pushes this run's image to every target, checking that each registry got this run's image. A registry that
 * fails does not stop the others; the caller fails the step afterwards, naming it.
 */
export async function publish(
  targets: readonly Target[],
  own: OwnImage,
  dockerEnv: Record<string, string>,
  policy: RetryPolicy,
  log: (m: string) => void,
): Promise<{ pushes: PushResult[]; results: RegistryResult[] }> {
  const pushes: PushResult[] = [];
  const results: RegistryResult[] = [];
  for (const [registry, here] of targetsByRegistry(targets)) {
    const done: PushResult[] = [];
    let error: string | undefined;
    const one = async (t: Target, tag: string): Promise<void> => {
      try {
        const r = await pushOwn(t.image, tag, own, dockerEnv, { ...policy, scope: registry }, log);
        log(`Pushed ${r.ref}@${r.digest}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}`);
        done.push(r);
      } catch (e) {
        error ??= errorMessage(e);
        log(`${registry}: ${errorMessage(e)}`);
      }
    };
    const all = here.flatMap((t) => t.tags.map((tag) => [t, tag] as const));
    // the first push uploads the layers; the other tags only add manifests, so they go together
    const [first, ...rest] = all;
    if (first) await one(...first);
    if (!error) await Promise.all(rest.map(([t, tag]) => one(t, tag)));
    const order = (p: PushResult): number => all.findIndex(([t, tag]) => t.image === p.image && tag === p.tag);
    done.sort((a, b) => order(a) - order(b));
    pushes.push(...done);
    results.push({ registry, refs: done.map((d) => d.ref), digest: done[0]?.digest ?? '', pushed: !error && done.length > 0, error, targets: pushedTargets(here, done) });
  }
  // the engine's names are a convenience once the registries have the image: a failure here is only logged
  await finishLocalNames(own, targetRefs(targets), dockerEnv).catch((e: unknown) => log(`The engine's tags could not be set: ${errorMessage(e)}`));
  return { pushes, results };
}
