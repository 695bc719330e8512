/**
 * Jib, as a Java team runs it in a workflow: setup-java's Maven cache restored (main) and saved (post), both
 * timed, around `mvn compile jib:build`, pushing straight to the registry through the counting relay.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE24 } from '../__tests__/support/runner.ts';
import { versionTags } from './format.ts';
import { dockerConfigFor } from './hand.ts';
import { errorText, must, tail, type Cmd } from './proc.ts';
import type { Ctx, RunResult, Scenario } from './types.ts';

export const JIB_VERSION = process.env.BENCH_JIB_VERSION ?? '3.5.2';
const M2CACHE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'm2cache.ts');

function result(out: string): Record<string, unknown> {
  const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`m2cache printed no result:\n${tail(out)}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>;
}

/**
 * The plugin by its coordinates (the fixtures' poms do not declare it, so the `jib:` prefix would not
 * resolve); `to` and `from` both through the relay, so Jib can mount the base layers as the action does.
 */
export function jibArgs(ctx: Ctx, tag: string): string[] {
  const [version, ...more] = versionTags(tag);
  return [
    '-B',
    'compile',
    `com.google.cloud.tools:jib-maven-plugin:${JIB_VERSION}:build`,
    `-Dimage=${ctx.relay.address}/${ctx.repo.jib}:${version}`,
    `-Djib.to.tags=${more.join(',')}`,
    `-Djib.from.image=${ctx.s.baseImage.replace(/^[^/]+/, ctx.relay.address)}`,
    '-Djib.allowInsecureRegistries=true',
    '-DsendCredentialsOverHttp=true',
  ];
}

async function sequence(ctx: Ctx, tag: string, env: NodeJS.ProcessEnv, stages: Record<string, number>): Promise<unknown> {
  const cacheEnv = { ...env, ...ctx.svc.jib?.env };
  const timed = async (stage: string, p: Promise<Cmd>) => {
    const r = await p;
    stages[stage] = r.ms;
    return r;
  };
  const restored = result((await timed('restore', must(NODE24, ['--disable-warning=ExperimentalWarning', M2CACHE, 'restore', ctx.ws.dir], { cwd: ctx.ws.dir, env: cacheEnv }))).out);
  await timed('jib', must('mvn', jibArgs(ctx, tag), { cwd: ctx.ws.dir, env }));
  if (restored.hit) return restored;
  const saved = result((await timed('save', must(NODE24, ['--disable-warning=ExperimentalWarning', M2CACHE, 'save', ctx.ws.dir, String(restored.key)], { cwd: ctx.ws.dir, env: cacheEnv }))).out);
  if (!saved.saved) throw new Error(`setup-java's cache save of ${String(restored.key)} saved nothing`);
  return { ...restored, saved: true };
}

export async function runJibOnce(ctx: Ctx, scenario: Scenario, tag: string): Promise<RunResult> {
  const svc = ctx.svc.jib;
  if (!svc) throw new Error('no Actions cache service for Jib');
  const [relay0, up0, down0] = [ctx.relay.counts(), svc.bytesUploaded(), svc.bytesDownloaded()];
  const stages: Record<string, number> = { restore: 0, jib: 0, save: 0 };
  // untimed, as the hand-run's: Jib reads registry credentials from $DOCKER_CONFIG/config.json
  const dockerConfig = dockerConfigFor(ctx, [ctx.relay.address]);
  const env = { ...process.env, ...ctx.ws.env, DOCKER_CONFIG: dockerConfig };
  const t0 = performance.now();
  let error: string | undefined;
  let cacheHit: unknown;
  try {
    cacheHit = await sequence(ctx, tag, env, stages);
  } catch (e) {
    error = errorText(e);
  } finally {
    rmSync(dockerConfig, { recursive: true, force: true });
  }
  const wallMs = performance.now() - t0;
  const relay1 = ctx.relay.counts();
  return {
    fixture: ctx.fixture.id,
    rep: ctx.rep,
    scenario,
    contender: 'jib',
    ok: !error,
    error,
    wallMs,
    stages,
    registryBytes: relay1.counted - relay0.counted,
    registryBytesRaw: relay1.total - relay0.total,
    cacheUploadBytes: svc.bytesUploaded() - up0,
    cacheDownloadBytes: svc.bytesDownloaded() - down0,
    cacheHit,
    tags: versionTags(tag),
  };
}
