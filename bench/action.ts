/** The action, as the runner runs it: the committed bundle's main then post, with its own Actions cache. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '../__tests__/support/runner.ts';
import { STEP_TIMEOUT_MS, tail, timeLeft } from './proc.ts';
import type { Ctx, RunResult, Scenario } from './types.ts';

const STAMP_PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stamp.mjs');
const PLATFORMS = 'linux/amd64,linux/arm64';

function readStamps(file: string): { step: string; start: number; end: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { step: string; start: number; end: number });
}

function inputs(ctx: Ctx, builder: 'auto' | 'docker', scenario: Scenario): Record<string, string> {
  const multi = scenario === 'multi';
  const base = multi ? (process.env.BASE_IMAGE_MULTI ?? `${ctx.s.registry}/base/jre:17-multi`) : ctx.s.baseImage;
  return {
    images: `${ctx.relay.address}/${ctx.repo[builder === 'auto' ? 'action' : 'docker']}`,
    registry: ctx.relay.address,
    username: ctx.s.user,
    password: ctx.s.password,
    tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'].join('\n'),
    'build-args': `BASE_IMAGE=${base.replace(/^[^/]+/, ctx.relay.address)}`,
    builder,
    ...(multi ? { platforms: PLATFORMS } : {}),
  };
}

export async function runActionOnce(ctx: Ctx, builder: 'auto' | 'docker', scenario: Scenario, tag: string): Promise<RunResult> {
  const contender = builder === 'auto' ? 'action' : 'docker';
  const svc = ctx.svc[contender];
  if (!svc) throw new Error(`no Actions cache service for ${contender}`);
  const stampFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-stamp-')), 'stamps.jsonl');
  const [relay0, up0, down0, t0] = [ctx.relay.counts(), svc.bytesUploaded(), svc.bytesDownloaded(), Date.now()];
  const r = await runAction({
    workspace: ctx.ws.dir,
    event: { name: 'push', ref: `refs/tags/${tag}`, sha: ctx.sha, payload: { ref: `refs/tags/${tag}`, repository: { name: ctx.fixture.id } } },
    env: { ...ctx.ws.env, ...svc.env, NODE_OPTIONS: `--import=${STAMP_PRELOAD}`, BENCH_STAMP_FILE: stampFile },
    runnerTemp: ctx.runnerTemp,
    timeoutMs: Math.min(STEP_TIMEOUT_MS, timeLeft()),
    inputs: inputs(ctx, builder, scenario),
  });
  const wallMs = Date.now() - t0;
  const relay1 = ctx.relay.counts();
  const stamps = readStamps(stampFile);
  rmSync(path.dirname(stampFile), { recursive: true, force: true });
  const stages: Record<string, number> = {};
  let cacheHit: unknown;
  let built: string | undefined;
  try {
    const meta = JSON.parse(r.outputs.metadata ?? '{}') as { timings?: Record<string, number>; builder?: string };
    Object.assign(stages, meta.timings ?? {});
    built = meta.builder;
    cacheHit = JSON.parse(r.outputs['cache-hit'] ?? 'null');
  } catch {
    // reported through ok/error below
  }
  const main = stamps.find((x) => x.step === 'main');
  const post = stamps.find((x) => x.step === 'post');
  if (main) stages.mainStep = main.end - main.start;
  if (post) stages.post = post.end - post.start;
  const ok = r.main.code === 0 && r.post.code === 0 && r.outputs.pushed === 'true';
  return {
    fixture: ctx.fixture.id,
    rep: ctx.rep,
    scenario,
    contender,
    ok,
    error: ok ? undefined : `main ${r.main.code}, post ${r.post.code}:\n${tail(r.main.log, 30)}\n--- post ---\n${tail(r.post.log)}`,
    wallMs,
    stages,
    registryBytes: relay1.counted - relay0.counted,
    registryBytesRaw: relay1.total - relay0.total,
    cacheUploadBytes: svc.bytesUploaded() - up0,
    cacheDownloadBytes: svc.bytesDownloaded() - down0,
    cacheHit,
    builder: built,
    tags: (r.outputs['tag-names'] ?? '').split('\n').filter(Boolean),
    log: [...r.main.log.split('\n'), ...r.post.log.split('\n')].filter((l) => /builder|mount|layer|bytes|: \d+\.\d s$|offline|cache/i.test(l) && !/^::debug/.test(l)).slice(0, 60),
  };
}
