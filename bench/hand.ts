/** The tutorial's hand-run sequence: mvn package, docker build, docker tag ×4, docker login, docker push ×4. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { versionTags } from './format.ts';
import { errorText, must, run, type RunOpts } from './proc.ts';
import type { Ctx, RunResult, Scenario } from './types.ts';

/**
 * A throwaway DOCKER_CONFIG, logged in (untimed) to the base image's registry: the engineer already is, and
 * the FROM pull needs it. Not ~/.docker, whose entries other jobs on this machine log in and out of.
 */
export function dockerConfigFor(ctx: Ctx, registries: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-docker-config-'));
  const auth = Buffer.from(`${ctx.s.user}:${ctx.s.password}`).toString('base64');
  const auths = Object.fromEntries(registries.map((r) => [r, { auth }]));
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify({ auths })}\n`, { mode: 0o600 });
  return dir;
}

async function sequence(ctx: Ctx, tag: string, dockerEnv: NodeJS.ProcessEnv, stages: Record<string, number>): Promise<void> {
  const image = `${ctx.relay.address}/${ctx.repo.hand}`;
  const step = async (stage: string, cmd: string, args: string[], opts: RunOpts = {}) => {
    stages[stage] += (await must(cmd, args, opts)).ms;
  };
  await step('mvn', 'mvn', ['-B', 'package', '-DskipTests'], { cwd: ctx.ws.dir, env: { ...process.env, ...ctx.ws.env } });
  const jarArg = ctx.fixture.jarArg ? ['--build-arg', `JAR_FILE=${ctx.fixture.jarArg}`] : [];
  await step('build', 'docker', ['build', '-t', 'app', ...jarArg, '.'], { cwd: ctx.ws.dir, env: dockerEnv });
  for (const t of versionTags(tag)) await step('tag', 'docker', ['tag', 'app', `${image}:${t}`], { env: dockerEnv, timeoutMs: 60_000 });
  await step('login', 'docker', ['login', ctx.relay.address, '-u', ctx.s.user, '--password-stdin'], { env: dockerEnv, input: ctx.s.password, timeoutMs: 60_000 });
  for (const t of versionTags(tag)) await step('push', 'docker', ['push', `${image}:${t}`], { env: dockerEnv });
}

export async function runHandOnce(ctx: Ctx, scenario: Scenario, tag: string): Promise<RunResult> {
  const relay0 = ctx.relay.counts();
  const stages: Record<string, number> = { mvn: 0, build: 0, tag: 0, login: 0, push: 0 };
  const dockerConfig = dockerConfigFor(ctx, [ctx.s.registry]);
  const dockerEnv = { ...process.env, DOCKER_CONFIG: dockerConfig };
  const t0 = performance.now();
  let error: string | undefined;
  try {
    await sequence(ctx, tag, dockerEnv, stages);
  } catch (e) {
    error = errorText(e);
  } finally {
    await run('docker', ['logout', ctx.relay.address], { env: dockerEnv, timeoutMs: 30_000 });
    rmSync(dockerConfig, { recursive: true, force: true });
  }
  const wallMs = performance.now() - t0;
  const relay1 = ctx.relay.counts();
  return {
    fixture: ctx.fixture.id,
    rep: ctx.rep,
    scenario,
    contender: 'hand',
    ok: !error,
    error,
    wallMs,
    stages,
    registryBytes: relay1.counted - relay0.counted,
    registryBytesRaw: relay1.total - relay0.total,
    cacheUploadBytes: 0,
    cacheDownloadBytes: 0,
    tags: versionTags(tag),
  };
}
