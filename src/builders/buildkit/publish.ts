import { errorMessage } from '../../errors.js';
import type { ImageName } from '../../oci/name.js';
import type { RetryPolicy } from '../../retry/retry.js';
import { finishLocalNames, pushOwn, type OwnImage } from './own.js';
import type { PushResult } from './push.js';

export interface RegistryResult {
  registry: string;
  refs: string[];
  digest: string;
  pushed: boolean;
  error?: string;
  /** Bytes this run sent to the registry (native builder only: docker push does not say). */
  uploadedBytes?: number;
}

/** The references of each registry, in tag order. Pure. */
export function refsByRegistry(refs: readonly string[], images: readonly ImageName[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const img of images) if (!out.has(img.registry)) out.set(img.registry, []);
  for (const ref of refs) {
    const img = images.find((i) => ref.startsWith(`${i.name}:`));
    if (img) out.get(img.registry)!.push(ref);
  }
  return out;
}

/**
 * Pushes this run's image to every registry, checking that each registry got this run's image. A registry that
 * fails does not stop the others; the caller fails the step afterwards, naming it.
 */
export async function publish(
  refs: readonly string[],
  images: readonly ImageName[],
  own: OwnImage,
  dockerEnv: Record<string, string>,
  policy: RetryPolicy,
  log: (m: string) => void,
): Promise<{ pushes: PushResult[]; results: RegistryResult[] }> {
  const pushes: PushResult[] = [];
  const results: RegistryResult[] = [];
  for (const [registry, regRefs] of refsByRegistry(refs, images)) {
    const done: PushResult[] = [];
    let error: string | undefined;
    const one = async (ref: string): Promise<void> => {
      try {
        const r = await pushOwn(ref, own, dockerEnv, { ...policy, scope: registry }, log);
        log(`Pushed ${ref}@${r.digest}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}`);
        done.push(r);
      } catch (e) {
        error ??= errorMessage(e);
        log(`${registry}: ${errorMessage(e)}`);
      }
    };
    // the first push uploads the layers; the other tags only add manifests, so they go together
    const [first, ...rest] = regRefs;
    if (first) await one(first);
    if (!error) await Promise.all(rest.map(one));
    done.sort((a, b) => regRefs.indexOf(a.ref) - regRefs.indexOf(b.ref));
    pushes.push(...done);
    results.push({ registry, refs: done.map((d) => d.ref), digest: done[0]?.digest ?? '', pushed: !error && done.length > 0, error });
  }
  // the engine's names are a convenience once the registries have the image: a failure here is only logged
  await finishLocalNames(own, [...refsByRegistry(refs, images).values()].flat(), dockerEnv).catch((e: unknown) => log(`The engine's tags could not be set: ${errorMessage(e)}`));
  return { pushes, results };
}
