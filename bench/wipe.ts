/** A wiped runner before every run: what a fresh GitHub-hosted VM would not have. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { must, run } from './proc.ts';
import type { Ctx } from './types.ts';

/** Local images of every contender's repository, app:latest and the base image's tags. */
async function ourImages(ctx: Ctx): Promise<string[]> {
  const ls = await must('docker', ['image', 'ls', '--format', '{{.Repository}}\t{{.Tag}}\t{{.ID}}'], { timeoutMs: 60_000, cleanup: true });
  const repos = Object.values(ctx.repo).map((r) => `${ctx.relay.address}/${r}`);
  const bases = [ctx.s.baseImage.replace(/:[^:/]+$/, ''), `${ctx.relay.address}/base/jre`];
  const refs = new Set<string>();
  for (const line of ls.out.split('\n')) {
    const [repo, tag, id] = line.split('\t');
    if (!repo || !tag) continue;
    const ours = repos.includes(repo) || bases.includes(repo) || repo === 'app' || repo === 'docker.io/library/app';
    if (ours) refs.add(tag === '<none>' ? id : `${repo}:${tag}`);
  }
  return [...refs];
}

/**
 * Before every run: those images, the engine's build cache, the workspace home's ~/.m2/repository, Jib's
 * base-image cache (~/.cache), RUNNER_TEMP and target/. The Actions cache services survive, as on GitHub.
 */
export async function wipe(ctx: Ctx): Promise<void> {
  const refs = await ourImages(ctx);
  if (refs.length) await run('docker', ['image', 'rm', '-f', ...refs], { timeoutMs: 120_000, cleanup: true });
  await must('docker', ['builder', 'prune', '-af'], { timeoutMs: 5 * 60_000 });
  const home = ctx.ws.env.HOME;
  rmSync(path.join(home, '.m2', 'repository'), { recursive: true, force: true });
  rmSync(path.join(home, '.cache'), { recursive: true, force: true });
  rmSync(ctx.runnerTemp, { recursive: true, force: true });
  rmSync(path.join(ctx.ws.dir, 'target'), { recursive: true, force: true });
}

/** After the last run of a fixture: its images go, and its repositories' tags are deleted from the registry. */
export async function cleanUp(ctx: Ctx, deleteTags: (repo: string) => Promise<number>): Promise<string[]> {
  const problems: string[] = [];
  const refs = await ourImages(ctx);
  if (refs.length) {
    const r = await run('docker', ['image', 'rm', '-f', ...refs], { timeoutMs: 120_000, cleanup: true });
    if (r.code !== 0) problems.push(`docker image rm: ${r.out.trim()}`);
  }
  for (const repo of Object.values(ctx.repo)) {
    try {
      await deleteTags(repo);
    } catch (e) {
      problems.push(`${repo}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return problems;
}
