/**
 * The registry bytes of a run, request by request: the action (the worktree's dist/, main then post, with its
 * Actions cache) and Jib, cold then after the one-line change, through the bench's counting relay. It wipes only
 * what it made (RUNNER_TEMP, target/, the workspace home's ~/.m2/repository and ~/.cache), never the engine's
 * build cache, so it can run beside other tests. Run: `node_modules/.bin/node bench/bytes.ts [example|service]`
 * (`npm run build` first); env BYTES_CONTENDERS (action,jib), BYTES_SCENARIOS (cold,change; also unchanged).
 * Prints each run's requests by kind and writes every request to $TMPDIR/bytes-<fixture>.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCacheService, type CacheService } from '../__tests__/support/cache-service.ts';
import { services, workspace } from '../__tests__/support/services.ts';
import { runActionOnce } from './action.ts';
import { FIXTURES } from './fixtures.ts';
import { bytes, markdownTable } from './format.ts';
import { runJibOnce } from './jib.ts';
import { errorText, git, tail } from './proc.ts';
import { deleteRepo } from './registry.ts';
import { byKind, type RequestRecord } from './requests.ts';
import { startRelay } from './relay.ts';
import { ALL_SCENARIOS, type Contender, type Ctx, type RunResult } from './types.ts';

const list = (v: string | undefined, d: string[]): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : d);

function wipeOurs(ctx: Ctx): void {
  rmSync(path.join(ctx.ws.env.HOME, '.m2', 'repository'), { recursive: true, force: true });
  rmSync(path.join(ctx.ws.env.HOME, '.cache'), { recursive: true, force: true });
  rmSync(ctx.runnerTemp, { recursive: true, force: true });
  rmSync(path.join(ctx.ws.dir, 'target'), { recursive: true, force: true });
}

async function change(ctx: Ctx): Promise<string> {
  const file = path.join(ctx.ws.dir, ctx.fixture.changeFile);
  const src = readFileSync(file, 'utf8');
  writeFileSync(file, src.replace(ctx.fixture.changeFrom, ctx.fixture.changeTo(`bytes ${Date.now()}`)));
  await git(ctx.ws.dir, 'commit', '-q', '-am', 'bytes: one-line change');
  return (await git(ctx.ws.dir, 'rev-parse', 'HEAD')).out.trim();
}

function report(title: string, r: RunResult, records: RequestRecord[]): void {
  const kinds = byKind(records);
  const rows = [['request', 'n', 'bytes sent'], ...kinds.map((k) => [k.kind, String(k.count), String(k.bytes)])];
  const total = kinds.reduce((n, k) => n + k.bytes, 0);
  console.log(`\n### ${title}: ${r.ok ? 'ok' : 'FAILED'}, ${bytes(r.registryBytes)} (${r.registryBytes} B; by request ${total} B), ${records.filter((x) => !x.excluded).length} requests\n`);
  console.log(markdownTable(rows));
  if (r.error) console.log(tail(r.error, 30));
}

async function main(): Promise<void> {
  const fixture = FIXTURES.find((f) => f.id === (process.argv[2] ?? 'service'));
  if (!fixture) throw new Error(`unknown fixture ${process.argv[2]}; known: ${FIXTURES.map((f) => f.id).join(', ')}`);
  const contenders = list(process.env.BYTES_CONTENDERS, ['action', 'jib']) as Contender[];
  const scenarios = list(process.env.BYTES_SCENARIOS, ['cold', 'change']).map((id) => ALL_SCENARIOS.find((s) => s.id === id)!);
  const s = services();
  let records: RequestRecord[] = [];
  const relay = await startRelay({ targetPort: Number(s.registry.split(':')[1] ?? 5000), exclude: (p) => p.startsWith('/v2/base/'), maxLifetimeMs: 30 * 60_000, onRequest: (r) => records.push(r) });
  const svc: Partial<Record<Contender, CacheService>> = {};
  const ws = workspace(fixture.source, { maven: 'central' });
  await git(ws.dir, 'commit', '-q', '--amend', '--no-edit', '--reset-author');
  ws.sha = (await git(ws.dir, 'rev-parse', 'HEAD')).out.trim();
  const runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'bytes-runner-')), '_temp');
  const id = Date.now().toString(36);
  const repo = { hand: `bench/bytes-${id}-hand`, action: `bench/bytes-${id}-action`, docker: `bench/bytes-${id}-docker`, jib: `bench/bytes-${id}-jib` };
  const ctx: Ctx = { fixture, rep: 1, s, relay, svc, ws, sha: ws.sha, runnerTemp, repo };
  const all: { scenario: string; contender: string; registryBytes: number; records: RequestRecord[] }[] = [];
  try {
    for (const c of contenders) svc[c] = await startCacheService();
    for (const sc of scenarios) {
      if (sc.id === 'change') ctx.sha = await change(ctx);
      for (const c of contenders) {
        wipeOurs(ctx);
        mkdirSync(runnerTemp, { recursive: true });
        records = [];
        const r = c === 'jib' ? await runJibOnce(ctx, sc.id, sc.tag) : await runActionOnce(ctx, 'auto', sc.id, sc.tag);
        // the relay hands a request on when its answer comes: a moment for the last ones
        await new Promise((res) => setTimeout(res, 200));
        report(`${fixture.id} ${sc.title} ${c}`, r, records);
        all.push({ scenario: sc.id, contender: c, registryBytes: r.registryBytes, records });
      }
    }
  } finally {
    await relay.stop();
    for (const r of [repo.action, repo.jib]) await deleteRepo(s, r).catch((e: unknown) => console.error(`clean-up ${r}: ${errorText(e)}`));
    await Promise.all(Object.values(svc).map((c) => c.stop()));
    rmSync(path.dirname(ws.dir), { recursive: true, force: true });
    rmSync(path.dirname(runnerTemp), { recursive: true, force: true });
    const out = path.join(os.tmpdir(), `bytes-${fixture.id}.json`);
    writeFileSync(out, `${JSON.stringify(all, null, 2)}\n`);
    console.log(`\nEvery request: ${out}`);
  }
}

main().catch((e: unknown) => {
  console.error(`[bytes] ${errorText(e)}`);
  process.exitCode = 1;
});
