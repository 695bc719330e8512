import { randomBytes } from 'node:crypto';
import { StageError } from '../../errors.js';
import { execute } from '../../exec.js';
import { splitRef, type ImageName } from '../../oci/name.js';
import type { RetryPolicy } from '../../retry/retry.js';
import { tagRef } from '../../targets.js';
import { pushTag, type PushResult, type TagPush } from './push.js';

const ENGINE_TIMEOUT_MS = 30 * 1000;
/** A tag re-pointed by another job between our `docker tag` and `docker push` is tried again this often. */
const OWN_ATTEMPTS = 8;

/** What this run built, as the engine and BuildKit name it. */
export interface OwnImage {
  /** The run's own name in the engine: no other job tags it, so it always means this run's image. */
  localName: string;
  /** The engine's image ID: the config digest (classic store) or the manifest/index digest (containerd store). */
  imageId: string;
  /** The manifest digest BuildKit reports (`containerimage.digest`), when it does. */
  manifestDigest?: string;
}

/** A name no other run uses, for the engine only: it is never pushed. */
export function runLocalName(): string {
  return `image-publish-local/run-${randomBytes(8).toString('hex')}:build`;
}

/**
 * Whether the digest a registry reported for `ref` is this run's image. The containerd store names an image by
 * its manifest (or index) digest; the classic store records `repo@digest` on the very image it pushed, and on no
 * other. Either is proof; anything else means the engine pushed another image under that tag. Pure.
 */
export function isOwnPush(name: string, digest: string, own: Pick<OwnImage, 'imageId' | 'manifestDigest'>, repoDigests: readonly string[]): boolean {
  if (digest === own.imageId || digest === own.manifestDigest) return true;
  const repo = familiar(name);
  return repoDigests.some((d) => familiar(splitRef(d).name) === repo && d.endsWith(`@${digest}`));
}

/** Docker Hub names as the engine prints them: `acme/app`, `nginx`. Pure. */
function familiar(name: string): string {
  return name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\/(?=[^/]+$)/, '');
}

async function docker(args: string[], dockerEnv: Record<string, string>): Promise<string> {
  const r = await execute('docker', args, { env: dockerEnv, timeoutMs: ENGINE_TIMEOUT_MS });
  if (r.code !== 0) throw new Error(`docker ${args[0]} ${args[1] ?? ''} failed: ${r.stderr.trim() || `exit code ${r.code}`}`);
  return r.stdout;
}

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 100 + Math.random() * 500));

/**
 * Points `ref` at this run's image in the engine (by ID, so a re-pointed local name cannot matter). Several jobs
 * tagging one name at once make the engine answer "already exists" or "No such image": that is tried again.
 */
export async function tagOwn(own: OwnImage, ref: string, dockerEnv: Record<string, string>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await docker(['image', 'tag', own.imageId, ref], dockerEnv);
      return;
    } catch (e) {
      if (attempt >= OWN_ATTEMPTS) throw e;
      await pause();
    }
  }
}

async function repoDigestsOf(imageId: string, dockerEnv: Record<string, string>): Promise<string[]> {
  const out = await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', imageId], dockerEnv);
  const parsed: unknown = JSON.parse(out.trim() || '[]');
  return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
}

/** Whether the engine's `ref` is this run's image right now. */
async function pointsAtOwn(own: OwnImage, ref: string, dockerEnv: Record<string, string>): Promise<boolean> {
  const r = await execute('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { env: dockerEnv, timeoutMs: ENGINE_TIMEOUT_MS }).catch(() => undefined);
  return r?.code === 0 && r.stdout.trim() === own.imageId;
}

/**
 * Tags this run's image as `ref`, pushes it, and checks that what the registry got is this run's image. Another
 * job on the same engine may re-point or re-create the tag in between: then the push is tried again, and fails if
 * it keeps happening, so `digest` never names another run's image. A push that fails while the tag is still ours
 * failed for its own reasons, and that error stands.
 */
export async function pushOwn(image: ImageName, tag: string, own: OwnImage, dockerEnv: Record<string, string>, policy: RetryPolicy, log: (m: string) => void): Promise<PushResult> {
  const ref = tagRef(image, tag);
  let last: string | undefined;
  for (let attempt = 1; attempt <= OWN_ATTEMPTS; attempt++) {
    if (attempt > 1) await pause();
    await tagOwn(own, ref, dockerEnv);
    let pushed: TagPush;
    try {
      pushed = await pushTag(ref, dockerEnv, policy);
    } catch (e) {
      if (await pointsAtOwn(own, ref, dockerEnv)) throw e;
      log(`${ref}: another job re-pointed the tag in this engine during the push; pushing again.`);
      continue;
    }
    if (isOwnPush(image.name, pushed.digest, own, await repoDigestsOf(own.imageId, dockerEnv))) return { ...pushed, image, tag };
    last = pushed.digest;
    log(`${ref}: the engine pushed ${pushed.digest}, which is not this run's image (another job re-pointed the tag); pushing again.`);
  }
  throw new StageError(
    'push',
    `Pushing ${ref} did not send this run's image in ${OWN_ATTEMPTS} attempts${last ? ` (the registry got ${last})` : ''}: other jobs on this Docker engine keep re-pointing the same tag. Give concurrent jobs their own engine or their own tags.`,
  );
}

/** Puts the image's references in the engine (tags last, after any push), then drops the run's own name. */
export async function finishLocalNames(own: OwnImage, refs: readonly string[], dockerEnv: Record<string, string>): Promise<void> {
  if (!refs.length) return; // the run's name is then the only one the image has; removing it would delete the image
  for (const ref of refs) await tagOwn(own, ref, dockerEnv);
  await docker(['image', 'rm', own.localName], dockerEnv);
}
