import { StageError } from '../../errors.js';
import { execute } from '../../exec.js';
import { dockerError } from '../../engine/docker-error.js';
import type { ImageName } from '../../oci/name.js';
import { withRetry, type RetryPolicy } from '../../retry/retry.js';

const PUSH_TIMEOUT_MS = 30 * 60 * 1000;

/** The manifest digest `docker push` reports for the reference it pushed. Pure. */
export function pushedDigest(output: string): string | undefined {
  const m = /digest:\s*(sha256:[0-9a-f]{64})/.exec(output);
  return m?.[1];
}

/** One reference a registry now serves: `image` and its `tag`, or (no tag) the manifest by digest only. */
export interface PushResult {
  /** `name:tag` or `name@digest`, formatted from image and tag, for logs and the engine. */
  ref: string;
  image: ImageName;
  tag?: string;
  digest: string;
  attempts: number;
}

/** What `docker push` of one reference did. */
export type TagPush = Pick<PushResult, 'ref' | 'digest' | 'attempts'>;

/** Pushes one tag of the image already built; a retry pushes the same image again, never rebuilds. */
export async function pushTag(ref: string, dockerEnv: Record<string, string>, policy: RetryPolicy): Promise<TagPush> {
  let digest: string | undefined;
  const res = await withRetry(async () => {
    const r = await execute('docker', ['push', '--', ref], { env: dockerEnv, timeoutMs: PUSH_TIMEOUT_MS, tailLines: 10 });
    digest = pushedDigest(r.stdout + r.stderr);
    return { ok: r.code === 0, output: r.timedOut ? 'push timed out' : r.stderr + r.stdout };
  }, policy);
  if (!res.ok) {
    const detail = dockerError(res.output) ?? 'docker said nothing';
    const hint =
      res.kind === 'auth'
        ? 'The registry refused access: check that `username` may push to this repository.'
        : res.kind === 'transient'
          ? 'The registry kept failing on the network; check that it is reachable, or raise `retries`.'
          : 'The registry refused the content; trying again would not help.';
    throw new StageError('push', `Pushing ${ref} failed after ${res.attempts} attempt(s): ${detail}. ${hint}`);
  }
  if (!digest) throw new StageError('push', `Pushed ${ref}, but docker reported no digest.`);
  return { ref, digest, attempts: res.attempts };
}
