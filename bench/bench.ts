/**
 * npm run bench: the hand-run tutorial sequence, the action and Jib, on each fixture, each run on a wiped
 * runner, in one go. Run through bench/run.mjs (Node 24 strips the types). Env: BENCH_REPEAT (1),
 * BENCH_FIXTURES (example,service), BENCH_CONTENDERS (hand,action,jib; add docker for `builder: docker`),
 * BENCH_SCENARIOS (cold,unchanged,change; add multi), BENCH_TIMEOUT_MIN (90), BENCH_JIB_VERSION (3.5.2).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCacheService, type CacheService } from '../__tests__/support/cache-service.ts';
import { services, workspace, type Services } from '../__tests__/support/services.ts';
import { runActionOnce } from './action.ts';
import { FIXTURES, selectedFixtures, type Fixture } from './fixtures.ts';
import { bytes, sec } from './format.ts';
import { runHandOnce } from './hand.ts';
import { JIB_VERSION, runJibOnce } from './jib.ts';
import { NOTES } from './notes.ts';
import { abortAll, BUDGET_MIN, errorText, git, tail } from './proc.ts';
import { deleteRepo } from './registry.ts';
import { startRelay, type Relay } from './relay.ts';
import { issueTable, stageTable, summarize, targets, targetTable } from './report.ts';
import { ALL_CONTENDERS, ALL_SCENARIOS, LABEL, type Contender, type Ctx, type RunResult, type ScenarioDef } from './types.ts';
import { cleanUp, wipe } from './wipe.ts';

const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? '1') || 1);

function pick<T extends string>(name: string, all: readonly T[], fallback: T[]): T[] {
  const env = process.env[name];
  if (!env) return fallback;
  const ids = env.split(',').map((s) => s.trim()) as T[];
  const unknown = ids.filter((i) => !all.includes(i));
  if (unknown.length) throw new Error(`${name}: unknown ${unknown.join(', ')}; known: ${all.join(', ')}`);
  return ids;
}

const CONTENDERS = pick<Contender>('BENCH_CONTENDERS', ALL_CONTENDERS, ['hand', 'action', 'jib']);
const SCENARIOS: ScenarioDef[] = pick('BENCH_SCENARIOS', ALL_SCENARIOS.map((s) => s.id), ['cold', 'unchanged', 'change']).map((id) => ALL_SCENARIOS.find((s) => s.id === id)!);

async function oneLineChange(ctx: Ctx, what: string): Promise<string> {
  const file = path.join(ctx.ws.dir, ctx.fixture.changeFile);
  const src = readFileSync(file, 'utf8');
  const changed = src.replace(ctx.fixture.changeFrom, ctx.fixture.changeTo(`bench ${ctx.rep} ${what}`));
  if (changed === src) throw new Error(`${file}: the string to edit (${ctx.fixture.changeFrom}) is missing`);
  writeFileSync(file, changed);
  await git(ctx.ws.dir, 'commit', '-q', '-am', 'bench: one-line change');
  return (await git(ctx.ws.dir, 'rev-parse', 'HEAD')).out.trim();
}

function runOnce(ctx: Ctx, c: Contender, sc: ScenarioDef): Promise<RunResult> {
  if (c === 'hand') return runHandOnce(ctx, sc.id, sc.tag);
  if (c === 'jib') return runJibOnce(ctx, sc.id, sc.tag);
  return runActionOnce(ctx, c === 'action' ? 'auto' : 'docker', sc.id, sc.tag);
}

function logRun(r: RunResult): void {
  const cache = r.contender === 'hand' ? '' : `, cache up ${bytes(r.cacheUploadBytes)} down ${bytes(r.cacheDownloadBytes)}, hit ${JSON.stringify(r.cacheHit)}`;
  console.log(`[bench]   ${r.ok ? 'ok' : 'FAILED'} ${sec(r.wallMs)} s, registry ${bytes(r.registryBytes)}${cache}${r.builder ? `, builder ${r.builder}` : ''}`);
  if (r.error) console.log(tail(r.error, 40).replace(/^/gm, '[bench]   | '));
}

/** Every scenario of one fixture, every contender on a wiped runner; `out` gets each run as it ends. */
async function benchFixture(base: Omit<Ctx, 'ws' | 'sha' | 'runnerTemp' | 'repo' | 'fixture'>, fixture: Fixture, id: string, out: RunResult[], save: () => void): Promise<void> {
  const ws = workspace(fixture.source, { maven: 'central' });
  // workspace() commits at a fixed time, so the action's reproducible jar layer would already be in the
  // registry from the e2e tests (and be mounted, not uploaded): recommit now for a really cold start.
  await git(ws.dir, 'commit', '-q', '--amend', '--no-edit', '--reset-author');
  ws.sha = (await git(ws.dir, 'rev-parse', 'HEAD')).out.trim();
  const runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-runner-')), '_temp');
  mkdirSync(runnerTemp, { recursive: true });
  const repo = Object.fromEntries(ALL_CONTENDERS.map((c) => [c, `bench/${fixture.id}-${id}-r${base.rep}-${c}`])) as Record<Contender, string>;
  const ctx: Ctx = { ...base, fixture, ws, sha: ws.sha, runnerTemp, repo };
  try {
    // rotate who goes first, so a slow neighbour does not always hit the same contender
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + base.rep - 1) % CONTENDERS.length]);
    for (const sc of SCENARIOS) {
      if (sc.id === 'change' || sc.id === 'multi') ctx.sha = await oneLineChange(ctx, sc.id);
      for (const c of order.filter((o) => !sc.only || sc.only.includes(o))) {
        await wipe(ctx);
        console.log(`[bench] rep ${base.rep}/${REPEAT} ${fixture.id} ${sc.title} (${sc.tag}) ${LABEL[c]} ...`);
        const r = await runOnce(ctx, c, sc);
        out.push(r);
        save();
        logRun(r);
      }
    }
  } finally {
    await wipe(ctx).catch((e: unknown) => console.error(`[bench] wipe: ${errorText(e)}`));
    const problems = await cleanUp(ctx, (r) => deleteRepo(base.s, r));
    for (const p of problems) console.error(`[bench] clean-up: ${p}`);
    rmSync(path.dirname(ws.dir), { recursive: true, force: true });
    rmSync(path.dirname(runnerTemp), { recursive: true, force: true });
  }
}

async function repetition(s: Services, relay: Relay, rep: number, id: string, fixtures: Fixture[], out: RunResult[], save: () => void, entries: { rep: number; fixture: string; key: string; size: number }[]) {
  for (const fixture of fixtures) {
    const svc: Partial<Record<Contender, CacheService>> = {};
    try {
      for (const c of CONTENDERS) if (c !== 'hand') svc[c] = await startCacheService();
      await benchFixture({ rep, s, relay, svc }, fixture, id, out, save);
      for (const [c, cs] of Object.entries(svc)) for (const e of cs.entries()) entries.push({ rep, fixture: fixture.id, key: `${c}: ${e.key}`, size: e.size });
    } finally {
      await Promise.all(Object.values(svc).map((c) => c.stop()));
    }
  }
}

function printReport(results: RunResult[], fixtures: Fixture[], load: { before: number[]; after: number[] }): ReturnType<typeof summarize> {
  const sum = summarize(results);
  console.log(`\nMedians of ${REPEAT} repetition(s). Load average (1, 5, 15 min) before ${load.before.map((x) => x.toFixed(1)).join(', ')}, after ${load.after.map((x) => x.toFixed(1)).join(', ')}, on ${os.cpus().length} cores.\n`);
  console.log(issueTable(sum, fixtures, SCENARIOS, CONTENDERS));
  console.log('\nStages (medians):\n');
  console.log(stageTable(sum, fixtures, SCENARIOS));
  if (CONTENDERS.includes('action') && CONTENDERS.includes('jib')) console.log(`\nIssue 20's targets:\n\n${targetTable(targets(sum, fixtures.map((f) => f.id)))}`);
  console.log('\nNotes:');
  for (const n of NOTES) console.log(`- ${n}`);
  return sum;
}

async function main(): Promise<void> {
  // stopped (run.mjs forwards SIGINT/SIGTERM): kill the running command, then the finally blocks clean up
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => abortAll(sig));
  const fixtures = selectedFixtures(process.env.BENCH_FIXTURES);
  const s = services();
  const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
  const load = { before: os.loadavg(), after: [] as number[] };
  const relay = await startRelay({ targetHost: '127.0.0.1', targetPort: Number(s.registry.split(':')[1] ?? 5000), exclude: (p) => p.startsWith('/v2/base/'), maxLifetimeMs: (BUDGET_MIN + 5) * 60_000 });
  console.log(`[bench] relay ${relay.address} -> ${s.registry}; fixtures ${fixtures.map((f) => f.id).join(', ')}; contenders ${CONTENDERS.join(', ')}; Jib ${JIB_VERSION}; BENCH_REPEAT=${REPEAT}; budget ${BUDGET_MIN} min`);
  const results: RunResult[] = [];
  const entries: { rep: number; fixture: string; key: string; size: number }[] = [];
  // written after every run, so a bench cut short still leaves its figures (marked partial)
  const save = () => writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), partial: true, runs: results }, null, 2)}\n`);
  try {
    for (let rep = 1; rep <= REPEAT; rep++) await repetition(s, relay, rep, id, fixtures, results, save, entries);
  } finally {
    await relay.stop();
  }
  load.after = os.loadavg();
  const sum = printReport(results, fixtures, load);
  const host = { cpus: os.cpus().length, load };
  const tg = targets(sum, fixtures.map((f) => f.id));
  writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), repeat: REPEAT, jib: JIB_VERSION, host, fixtures: FIXTURES.map(({ id: f, title }) => ({ id: f, title })), notes: NOTES, summary: sum, targets: tg, cacheEntries: entries, runs: results }, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), RESULTS)}`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) throw new Error(`${failed.length} run(s) failed (${failed.map((r) => `${r.fixture} ${r.scenario} ${r.contender}`).join('; ')}); their cells say FAILED`);
}

main().catch((e: unknown) => {
  console.error(`[bench] ${errorText(e)}`);
  process.exitCode = 1;
});
