import { shortHash } from '../cache/keys.js';
import type { PullRequestFacts } from '../github.js';
import type { PushResult } from '../builders/buildkit/push.js';
import { previewBody, upsertComment } from '../pr/comment.js';
import { digestRef } from '../targets.js';
import type { Meta } from '../tags/index.js';
import type { Job } from '../job.js';

/** Posts or updates the one preview comment of this image set on the pull request; a closed PR's goes stale. */
export async function commentStage(job: Job, pr: PullRequestFacts, pushes: PushResult[], meta: Meta): Promise<void> {
  const { ctx, inputs, io } = job;
  const key = shortHash(inputs.images.map((i) => i.name));
  const first = pushes[0];
  const reference = first ? digestRef(first.image, first.digest) : undefined;
  const body = previewBody({ number: pr.number, reference, tags: meta.tagNames, commit: pr.headSha ?? ctx.sha, stale: pr.closed }, key);
  await upsertComment({ apiUrl: ctx.apiUrl, token: inputs.githubToken, repository: ctx.repository, number: pr.number, policy: job.policy }, body, key, !pr.closed && first !== undefined, io);
}

/** Updates the preview comment (never posts one) to say the preview was removed from these images. */
export async function removedCommentStage(job: Pick<Job, 'ctx' | 'inputs' | 'io' | 'policy'>, number: number, commit: string, images: string[]): Promise<void> {
  const { ctx, inputs, io } = job;
  const key = shortHash(inputs.images.map((i) => i.name));
  const body = previewBody({ number, tags: [], commit, stale: true, removed: images.length ? images : undefined }, key);
  await upsertComment({ apiUrl: ctx.apiUrl, token: inputs.githubToken, repository: ctx.repository, number, policy: job.policy }, body, key, false, io);
}
