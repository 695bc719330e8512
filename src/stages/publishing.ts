import { decidePush } from '../inputs/push.js';
import type { EventFacts } from '../github.js';
import { tagRules } from './metadata.js';
import { InputError } from '../errors.js';
import { refusedPushAccess } from '../registry/probe.js';
import { checkPushAccess } from '../registry/anonymous.js';
import { parseTagRules, type Meta } from '../tags/index.js';
import { registryPool, type Job } from '../job.js';

export interface Publishing {
  push: boolean;
  /** For the job summary, when nothing is pushed. */
  reasonNotPushed?: string;
}

/**
 * Whether this run pushes, decided once the tags are known and before any side effect: a fork, a closed pull
 * request or an untrusted checkout never pushes; no tag is an error (push: true) or a build only (push: auto);
 * a registry that asks for credentials nobody gave fails here rather than after the build.
 */
export async function decidePublishing(job: Job, meta: Meta, facts: EventFacts): Promise<Publishing> {
  const { io, inputs, ctx } = job;
  const { fork, pr } = facts;
  const rules = parseTagRules(tagRules(inputs.tags, inputs.prSha, ctx.eventName)).map((r) => r.source);
  const decided = decidePush({ push: inputs.push && !fork && !pr?.closed && !job.untrusted, auto: inputs.pushAuto }, meta.tags, ctx.ref, rules);
  const push = decided.push;
  if (decided.notice) io.notice(decided.notice);
  if (push) await checkPushAccess([...new Set(inputs.images.map((i) => i.registry))], inputs.logins.map((l) => l.registry), inputs.insecureRegistries, job.dockerConfig);
  if (push) await checkCredentials(job);
  if (fork) io.notice(`This pull request comes from ${fork}, and GitHub gives such runs no secrets: the image is built but not pushed.`);
  if (pr?.closed && inputs.push) io.notice(`Pull request #${pr.number} is closed: nothing is pushed.`);
  // checkUntrustedCode let this run on only because none of the checkout's code runs
  if (job.untrusted) io.warning(`pull_request_target: ${job.untrusted}. None of its code runs here (no Java build, no RUN step), and it gets no login, no push and no cache; set \`allow-untrusted-checkout: true\` only if you trust it.`);
  const reasonNotPushed = !inputs.push ? 'push is false' : fork ? 'pull request from a fork' : pr?.closed ? 'pull request closed' : job.untrusted ? 'untrusted checkout' : !push ? 'no tag (push: auto)' : undefined;
  return { push, reasonNotPushed };
}

/** A wrong password or a token without push scope fails here, before the build tool runs and before any login. */
async function checkCredentials(job: Job): Promise<void> {
  const { inputs } = job;
  const withLogin = inputs.images.filter((i) => inputs.logins.some((l) => l.registry === i.registry));
  if (!withLogin.length) return;
  const pool = registryPool(job);
  try {
    const refused = await refusedPushAccess(withLogin, pool.client);
    if (refused.length) {
      const which = refused.map((r) => `${r.registry} answered ${r.answer} for a push to ${r.repository}`).join('; ');
      throw new InputError(inputs.loginInput, `the registry rejected the credentials: ${which}. Check \`username\` and \`password\`: the password or token may be wrong, expired or lack push scope.`);
    }
  } finally {
    pool.close();
  }
}
