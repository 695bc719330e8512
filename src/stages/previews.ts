import type { EventFacts } from '../github.js';
import { closedPullRequest, removePreviews, sweepCandidates, type CleanupJob, type ImageOutcome } from '../previews/run.js';
import { removedCommentStage } from './comment.js';

function removedFrom(outcomes: readonly ImageOutcome[]): string[] {
  return outcomes.filter((o) => o.tags.length).map((o) => o.image);
}

/** A clean-up run: a closed pull request's preview, or a sweep of those closed long enough ago; the comment says so. */
export async function previewsStage(job: CleanupJob, kind: 'closed' | 'sweep', facts: EventFacts): Promise<ImageOutcome[]> {
  const { io, inputs, ctx } = job;
  const comment = inputs.prComment && !inputs.dryRun;
  if (kind === 'closed') {
    const pr = facts.pr!;
    if (facts.fork) {
      io.info(`#${pr.number} comes from ${facts.fork}: its runs got no secrets and pushed nothing, so there is no preview to remove.`);
      return [];
    }
    const outcomes = await removePreviews(job, [await closedPullRequest(job, pr)]);
    if (comment) await removedCommentStage(job, pr.number, pr.headSha ?? ctx.sha, removedFrom(outcomes));
    return outcomes;
  }
  const prs = await sweepCandidates(job);
  if (!prs.length) {
    io.info(`No pull request with a preview here was closed more than ${inputs.cleanup.olderThanMs / 3600000} h ago.`);
    return [];
  }
  const outcomes = await removePreviews(job, prs);
  if (comment) for (const pr of prs) await removedCommentStage(job, pr.number, pr.shas[0] ?? '', removedFrom(outcomes));
  return outcomes;
}
