/**
 * npm run bench: the action against the hand-run tutorial sequence, on the same fixture, each run on a
 * wiped runner. See bench/README.md. Run through bench/run.mjs (Node 24 strips the types).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCacheService, type CacheService } from '../__tests__/support/cache-service.ts';
import { runAction } from '../__tests__/support/runner.ts';
import { services, SPRING_BOOT, workspace, type Services, type Workspace } from '../__tests__/support/services.ts';
import { startRelay, type Relay } from './relay.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'results.json');
const STAMP_PRELOAD = path.join(HERE, 'stamp.mjs');
const JAR = 'target/hello-service-1.0.0.jar';
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? '1') || 1);
const BUDGET_MS = Number(process.env.BENCH_TIMEOUT_MIN ?? '90') * 60 * 1000;
const STEP_TIMEOUT_MS = 10 * 60 * 1000;
const DEADLINE = Date.now() + BUDGET_MS;

type Scenario = 'cold' | 'unchanged' | 'change' | 'multi';
/** The hand-run sequence, and the action with each builder (`builder: docker`, `builder: native`). */
type Contender = 'hand' | 'docker' | 'native';
const CONTENDERS: Contender[] = ['hand', 'docker', 'native'];
const LABEL: Record<Contender, string> = { hand: 'hand-run', docker: 'action (docker)', native: 'action (native)' };
/** `multi`: another one-line change, built for two platforms from the multi-arch base; compared with `change`. */
const SCENARIOS: { id: Scenario; title: string; tag: string; only?: Contender[] }[] = [
  { id: 'cold', title: 'cold', tag: 'v1.2.3' },
  { id: 'unchanged', title: 'rerun, same commit', tag: 'v1.2.4' },
  { id: 'change', title: 'one-line change', tag: 'v1.2.5' },
  { id: 'multi', title: 'one-line change, amd64+arm64', tag: 'v1.2.6', only: ['native'] },
];
const PLATFORMS = 'linux/amd64,linux/arm64';

interface RunResult {
  rep: number;
  scenario: Scenario;
  contender: Contender;
  ok: boolean;
  error?: string;
  wallMs: number;
  /** Stage → ms. Action: metadata.timings + main/post/runner from the stamps. Hand-run: one per command kind. */
  stages: Record<string, number>;
  /** Client→server bytes through the relay, without the base-image pull requests. */
  registryBytes: number;
  registryBytesRaw: number;
  cacheUploadBytes: number;
  cacheDownloadBytes: number;
  cacheHit?: unknown;
  tags: string[];
  /** The action's log lines about layers, mounts and bytes (native builder), for "where the time goes". */
  layerLog?: string[];
}

const notes: string[] = [
  `The tutorial Dockerfile's default ARG JAR_FILE=./*.jar matches nothing (Maven writes target/), so the hand-run passes --build-arg JAR_FILE=${JAR}.`,
  'The action runs once per builder: `builder: docker` (BuildKit, then docker push) and `builder: native` (in-process, straight to the registry; Spring Boot layers from layers.idx). Each builder has its own repository and its own Actions cache, as two separate workflows would. The multi-platform scenario is native only: a second one-line change built with `platforms: linux/amd64,linux/arm64` from the multi-arch base (build-args BASE_IMAGE=<relay>/base/jre:17-multi), compared with the one-platform one-line change.',
  'All contenders push through the counting relay. The hand-run pulls the base image from 127.0.0.1:5000 directly (FROM line), with a login to :5000 pre-seeded untimed in its throwaway DOCKER_CONFIG (~/.docker is shared with concurrent jobs that log in and out). The action logs in only to its `registry` input, so its job-only Docker config has no credentials for :5000; it gets build-args BASE_IMAGE=<relay>/base/jre:17 instead, and the relay leaves requests for /v2/base/* out of the count.',
  'The fixture is example/: the Spring Boot 3.5 web app (spring-boot-starter-web, a 21 MB layered fat jar with its SBOM), its dependencies from Maven Central into an empty ~/.m2 (the action restores them from its dependency cache; the hand-run downloads them every time, as a runner without a cache step does).',
  'workspace(\'example\') commits at a fixed time, so the action\'s reproducible jar layer would already be in the registry from e2e runs (mounted, not uploaded); the bench recommits the fixture with the current time so the cold run really uploads it.',
  'Wipe before every run: local images of every contender\'s repository, app:latest and the base image tags, `docker builder prune -af`, the workspace home\'s .m2/repository, RUNNER_TEMP and target/. The Actions cache services (one per builder, fresh per repetition) survive between runs. Other local images FROM the same base keep its layers in the containerd content store, so the base "pull" after a wipe is mostly metadata.',
];

// ---------- helpers ----------

function timeLeft(): number {
  const left = DEADLINE - Date.now();
  if (left <= 0) throw new Error(`bench budget of ${BUDGET_MS / 60000} min exhausted (BENCH_TIMEOUT_MIN)`);
  return left;
}

interface Cmd {
  code: number;
  out: string;
  ms: number;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Cmd> {
  const timeoutMs = Math.min(opts.timeoutMs ?? STEP_TIMEOUT_MS, timeLeft());
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const keep = (c: Buffer) => {
      out += c.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      out += `\n[bench] ${cmd} timed out after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => (out += `\n[bench] ${e.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, ms: performance.now() - t0 });
    });
    // a command that exits without reading its stdin (git, a fast docker call) must not crash the bench with EPIPE
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

async function must(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<Cmd> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${tail(r.out)}`);
  return r;
}

const tail = (s: string, n = 15): string => s.trimEnd().split('\n').slice(-n).join('\n');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sec = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(1));
function bytes(n: number): string {
  if (Number.isNaN(n)) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
const versionTags = (tag: string): string[] => {
  const [major, minor, patch] = tag.replace(/^v/, '').split('.');
  return [`${major}.${minor}.${patch}`, `${major}.${minor}`, major, 'latest'];
};

// ---------- the runner wipe ----------

async function wipe(ctx: Ctx): Promise<void> {
  const ls = await must('docker', ['image', 'ls', '--format', '{{.Repository}}\t{{.Tag}}\t{{.ID}}'], { timeoutMs: 60_000 });
  const repos = Object.values(ctx.repo).map((r) => `${ctx.relay.address}/${r}`);
  const bases = [ctx.s.baseImage.replace(/:[^:/]+$/, ''), `${ctx.relay.address}/base/jre`];
  const refs = new Set<string>();
  for (const line of ls.out.split('\n')) {
    const [repo, tag, id] = line.split('\t');
    if (!repo || !tag) continue;
    const ours = repos.includes(repo) || bases.includes(repo) || repo === 'app' || repo === 'docker.io/library/app';
    if (!ours) continue;
    refs.add(tag === '<none>' ? id : `${repo}:${tag}`);
  }
  if (refs.size) await run('docker', ['image', 'rm', '-f', ...refs], { timeoutMs: 120_000 });
  await must('docker', ['builder', 'prune', '-af'], { timeoutMs: 5 * 60_000 });
  rmSync(path.join(ctx.ws.env.HOME, '.m2', 'repository'), { recursive: true, force: true });
  rmSync(ctx.runnerTemp, { recursive: true, force: true });
  rmSync(path.join(ctx.ws.dir, 'target'), { recursive: true, force: true });
}

// ---------- contenders ----------

interface Ctx {
  rep: number;
  s: Services;
  relay: Relay;
  /** One Actions cache per builder. */
  svc: Record<'docker' | 'native', CacheService>;
  ws: Workspace;
  sha: string;
  runnerTemp: string;
  repo: Record<Contender, string>;
}

async function runActionOnce(ctx: Ctx, builder: 'docker' | 'native', scenario: Scenario, tag: string): Promise<RunResult> {
  const svc = ctx.svc[builder];
  const base = scenario === 'multi' ? (process.env.BASE_IMAGE_MULTI ?? `${ctx.s.registry}/base/jre:17-multi`) : ctx.s.baseImage;
  const stampFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-stamp-')), 'stamps.jsonl');
  const relay0 = ctx.relay.counts();
  const up0 = svc.bytesUploaded();
  const down0 = svc.bytesDownloaded();
  const t0 = Date.now();
  const r = await runAction({
    workspace: ctx.ws.dir,
    event: { name: 'push', ref: `refs/tags/${tag}`, sha: ctx.sha, payload: { ref: `refs/tags/${tag}`, repository: { name: 'hello-service' } } },
    env: { ...ctx.ws.env, ...svc.env, NODE_OPTIONS: `--import=${STAMP_PRELOAD}`, BENCH_STAMP_FILE: stampFile },
    runnerTemp: ctx.runnerTemp,
    timeoutMs: Math.min(STEP_TIMEOUT_MS, timeLeft()),
    inputs: {
      images: `${ctx.relay.address}/${ctx.repo[builder]}`,
      registry: ctx.relay.address,
      username: ctx.s.user,
      password: ctx.s.password,
      tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'].join('\n'),
      'build-args': `BASE_IMAGE=${base.replace(/^[^/]+/, ctx.relay.address)}`,
      builder,
      ...(scenario === 'multi' ? { platforms: PLATFORMS } : {}),
    },
  });
  const wallMs = Date.now() - t0;
  const relay1 = ctx.relay.counts();
  const stamps = existsSync(stampFile)
    ? readFileSync(stampFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { step: string; start: number; end: number })
    : [];
  rmSync(path.dirname(stampFile), { recursive: true, force: true });
  const stages: Record<string, number> = {};
  let cacheHit: unknown;
  try {
    const meta = JSON.parse(r.outputs.metadata ?? '{}') as { timings?: Record<string, number> };
    Object.assign(stages, meta.timings ?? {});
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
    rep: ctx.rep,
    scenario,
    contender: builder,
    ok,
    error: ok ? undefined : `main ${r.main.code}, post ${r.post.code}:\n${tail(r.main.log, 30)}\n--- post ---\n${tail(r.post.log)}`,
    wallMs,
    stages,
    registryBytes: relay1.counted - relay0.counted,
    registryBytesRaw: relay1.total - relay0.total,
    cacheUploadBytes: svc.bytesUploaded() - up0,
    cacheDownloadBytes: svc.bytesDownloaded() - down0,
    cacheHit,
    tags: (r.outputs['tag-names'] ?? '').split('\n').filter(Boolean),
    layerLog: r.main.log.split('\n').filter((l) => /builder|mount|layer|bytes uploaded|: \d+\.\d s$/i.test(l)).slice(0, 40),
  };
}

async function runHandOnce(ctx: Ctx, scenario: Scenario, tag: string): Promise<RunResult> {
  const relay0 = ctx.relay.counts();
  const stages: Record<string, number> = { mvn: 0, build: 0, tag: 0, login: 0, push: 0 };
  const dockerConfig = mkdtempSync(path.join(os.tmpdir(), 'bench-docker-config-'));
  // Untimed: the engineer is already logged in to the base image's registry (the FROM pull needs it).
  // A throwaway config, not ~/.docker, whose entries other jobs on this machine log in and out of.
  const baseAuth = Buffer.from(`${ctx.s.user}:${ctx.s.password}`).toString('base64');
  writeFileSync(path.join(dockerConfig, 'config.json'), `${JSON.stringify({ auths: { [ctx.s.registry]: { auth: baseAuth } } })}\n`, { mode: 0o600 });
  const dockerEnv = { ...process.env, DOCKER_CONFIG: dockerConfig };
  const image = `${ctx.relay.address}/${ctx.repo.hand}`;
  const tags = versionTags(tag);
  const t0 = performance.now();
  let error: string | undefined;
  try {
    const step = async (stage: string, cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}) => {
      const r = await must(cmd, args, opts);
      stages[stage] += r.ms;
    };
    await step('mvn', 'mvn', ['-B', 'package', '-DskipTests'], { cwd: ctx.ws.dir, env: { ...process.env, MAVEN_OPTS: `-Duser.home=${ctx.ws.env.HOME}` } });
    await step('build', 'docker', ['build', '-t', 'app', '--build-arg', `JAR_FILE=${JAR}`, '.'], { cwd: ctx.ws.dir, env: dockerEnv });
    for (const t of tags) await step('tag', 'docker', ['tag', 'app', `${image}:${t}`], { env: dockerEnv, timeoutMs: 60_000 });
    await step('login', 'docker', ['login', ctx.relay.address, '-u', ctx.s.user, '--password-stdin'], { env: dockerEnv, input: ctx.s.password, timeoutMs: 60_000 });
    for (const t of tags) await step('push', 'docker', ['push', `${image}:${t}`], { env: dockerEnv });
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    await run('docker', ['logout', ctx.relay.address], { env: dockerEnv, timeoutMs: 30_000 });
    rmSync(dockerConfig, { recursive: true, force: true });
  }
  const wallMs = performance.now() - t0;
  const relay1 = ctx.relay.counts();
  return {
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
    tags,
  };
}

// ---------- the fixture change ----------

async function oneLineChange(ctx: Ctx, scenario: Scenario): Promise<string> {
  const file = path.join(ctx.ws.dir, 'src/main/java/com/acme/hello/HelloController.java');
  const src = readFileSync(file, 'utf8');
  const changed = src.replace(/"Hello from image-publish[^"]*"/, `"Hello from image-publish, bench ${ctx.rep} ${scenario}"`);
  if (changed === src) throw new Error(`${file}: the "Hello from image-publish" string to edit is missing`);
  writeFileSync(file, changed);
  await git(ctx.ws.dir, 'commit', '-q', '-am', 'bench: one-line change');
  return (await git(ctx.ws.dir, 'rev-parse', 'HEAD')).out.trim();
}

/** git with the commit time now: the action builds reproducibly from it, so the bench's jars are its own. */
function git(dir: string, ...a: string[]): Promise<Cmd> {
  const now = new Date().toISOString();
  return must('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: dir, env: { ...process.env, GIT_AUTHOR_DATE: now, GIT_COMMITTER_DATE: now }, timeoutMs: 30_000 });
}

// ---------- report ----------

interface Summary {
  scenario: Scenario;
  contender: Contender;
  runs: number;
  failed: number;
  wallMs: number;
  stages: Record<string, number>;
  registryBytes: number;
  cacheUploadBytes: number;
  cacheDownloadBytes: number;
}

const ACTION_STAGES = ['login', 'restore', 'java', 'image', 'push', 'post'];
const HAND_STAGES = ['mvn', 'build', 'tag', 'login', 'push'];

function summarize(results: RunResult[]): Summary[] {
  const out: Summary[] = [];
  for (const { id } of SCENARIOS) {
    for (const contender of CONTENDERS) {
      const all = results.filter((r) => r.scenario === id && r.contender === contender);
      if (!all.length) continue;
      const rs = all.filter((r) => r.ok);
      const keys = [...new Set(rs.flatMap((r) => Object.keys(r.stages)))];
      out.push({
        scenario: id,
        contender,
        runs: all.length,
        failed: all.length - rs.length,
        wallMs: median(rs.map((r) => r.wallMs)),
        stages: Object.fromEntries(keys.map((k) => [k, median(rs.map((r) => r.stages[k] ?? 0))])),
        registryBytes: median(rs.map((r) => r.registryBytes)),
        cacheUploadBytes: median(rs.map((r) => r.cacheUploadBytes)),
        cacheDownloadBytes: median(rs.map((r) => r.cacheDownloadBytes)),
      });
    }
  }
  return out;
}

interface Target {
  contender: Contender;
  scenario: Scenario;
  what: string;
  measured: string;
  met: boolean;
}

/** A run's time against its yardstick: the hand-run of the same scenario; two platforms against one. */
function ratioOf(sum: Summary[], x: Summary): number {
  const get = (sc: Scenario, c: Contender) => sum.find((y) => y.scenario === sc && y.contender === c)?.wallMs ?? NaN;
  if (x.contender === 'hand') return NaN;
  return x.scenario === 'multi' ? x.wallMs / get('change', x.contender) : x.wallMs / get(x.scenario, 'hand');
}

function targets(sum: Summary[]): Target[] {
  const x = (c: Contender, sc: Scenario) => sum.find((y) => y.scenario === sc && y.contender === c);
  const time = (c: Contender, sc: Scenario, max: number, of = 'hand-run'): Target => {
    const r = x(c, sc) ? ratioOf(sum, x(c, sc)!) : NaN;
    return { contender: c, scenario: sc, what: `time <= ${max}x ${of}`, measured: `${r.toFixed(2)}x`, met: r <= max };
  };
  const up = (c: Contender, sc: Scenario, maxKb: number): Target => {
    const n = x(c, sc)?.registryBytes ?? NaN;
    return { contender: c, scenario: sc, what: `registry upload <= ${maxKb} KB`, measured: bytes(n), met: n <= maxKb * 1024 };
  };
  return [
    // issue 10, the native builder
    time('native', 'cold', 0.5),
    time('native', 'unchanged', 0.2),
    up('native', 'unchanged', 16),
    time('native', 'change', 0.3),
    up('native', 'change', 100),
    time('native', 'multi', 1.1, 'one platform'),
    // the earlier targets, kept for the docker builder
    up('docker', 'unchanged', 64),
    time('docker', 'unchanged', 0.6),
    time('docker', 'change', 0.8),
    time('docker', 'cold', 1.1),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

function render(sum: Summary[], tg: Target[]): string {
  const rows: string[][] = [['scenario', 'contender', 'wall s', 'stages s', 'registry upload', 'cache up / down', 'ratio']];
  for (const x of sum) {
    const names = x.contender === 'hand' ? HAND_STAGES : ACTION_STAGES;
    const other = x.wallMs - names.reduce((t, n) => t + (x.stages[n] ?? 0), 0);
    const stages = [...names.map((n) => `${n} ${sec(x.stages[n])}`), `other ${sec(other)}`].join(', ');
    const title = SCENARIOS.find((s) => s.id === x.scenario)?.title ?? x.scenario;
    const r = ratioOf(sum, x);
    rows.push([
      title,
      LABEL[x.contender],
      `${sec(x.wallMs)}${x.failed ? ` (${x.failed} failed)` : ''}`,
      stages,
      bytes(x.registryBytes),
      x.contender === 'hand' ? '-' : `${bytes(x.cacheUploadBytes)} / ${bytes(x.cacheDownloadBytes)}`,
      Number.isNaN(r) ? '' : `${r.toFixed(2)}x${x.scenario === 'multi' ? ' of 1 platform' : ''}`,
    ]);
  }
  const tgRows = [['contender', 'scenario', 'target', 'measured', 'met'], ...tg.map((t) => [LABEL[t.contender], t.scenario, t.what, t.measured, t.met ? 'yes' : 'NO'])];
  return `${table(rows)}\n\n${table(tgRows)}`;
}

// ---------- main ----------

async function main(): Promise<void> {
  const s = services();
  const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
  const relay = await startRelay({ targetHost: '127.0.0.1', targetPort: Number(s.registry.split(':')[1] ?? 5000), exclude: (p) => p.startsWith('/v2/base/'), maxLifetimeMs: BUDGET_MS + 5 * 60_000 });
  console.log(`[bench] relay ${relay.address} -> ${s.registry}; BENCH_REPEAT=${REPEAT}; budget ${BUDGET_MS / 60000} min`);
  const results: RunResult[] = [];
  const cacheEntries: { rep: number; key: string; size: number }[] = [];
  try {
    for (let rep = 1; rep <= REPEAT; rep++) {
      const svc = { docker: await startCacheService(), native: await startCacheService() };
      try {
        // the Spring Boot app, from Maven Central into an empty ~/.m2 (wiped before every run)
        const ws = workspace(SPRING_BOOT);
        // workspace() commits at a fixed time, so the action's reproducible jar layer would already be in the
        // registry from the e2e tests (and be mounted, not uploaded): recommit now for a really cold start.
        await git(ws.dir, 'commit', '-q', '--amend', '--no-edit', '--reset-author');
        ws.sha = (await git(ws.dir, 'rev-parse', 'HEAD')).out.trim();
        const runnerTemp = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-runner-')), '_temp');
        mkdirSync(runnerTemp, { recursive: true });
        const ctx: Ctx = { rep, s, relay, svc, ws, sha: ws.sha, runnerTemp, repo: Object.fromEntries(CONTENDERS.map((c) => [c, `bench/hello-${id}-r${rep}-${c}`])) as Record<Contender, string> };
        // rotate who goes first, so a slow neighbour does not always hit the same contender
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + rep - 1) % CONTENDERS.length]);
        for (const sc of SCENARIOS) {
          if (sc.id === 'change' || sc.id === 'multi') ctx.sha = await oneLineChange(ctx, sc.id);
          for (const c of order.filter((o) => !sc.only || sc.only.includes(o))) {
            await wipe(ctx);
            console.log(`[bench] rep ${rep}/${REPEAT} ${sc.title} (${sc.tag}) ${LABEL[c]} ...`);
            const r = c === 'hand' ? await runHandOnce(ctx, sc.id, sc.tag) : await runActionOnce(ctx, c, sc.id, sc.tag);
            results.push(r);
            // written after every run, so a bench cut short still leaves its figures
            writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), partial: true, runs: results }, null, 2)}\n`);
            console.log(`[bench]   ${r.ok ? 'ok' : 'FAILED'} ${sec(r.wallMs)} s, registry ${bytes(r.registryBytes)}${c === 'hand' ? '' : `, cache up ${bytes(r.cacheUploadBytes)} down ${bytes(r.cacheDownloadBytes)}, hit ${JSON.stringify(r.cacheHit)}`}`);
            if (r.error) console.log(tail(r.error, 40).replace(/^/gm, '[bench]   | '));
          }
        }
        await wipe(ctx);
        for (const [b, c] of Object.entries(svc)) for (const e of c.entries()) cacheEntries.push({ rep, key: `${b}: ${e.key}`, size: e.size });
        rmSync(path.dirname(ws.dir), { recursive: true, force: true });
        rmSync(path.dirname(runnerTemp), { recursive: true, force: true });
      } finally {
        await Promise.all(Object.values(svc).map((c) => c.stop()));
      }
    }
  } finally {
    await relay.stop();
  }

  const sum = summarize(results);
  const tg = targets(sum);
  console.log(`\nMedians of ${REPEAT} repetition(s); stage times in s; "registry upload" = client->server bytes through the relay (base-image pull requests excluded).`);
  console.log(`Action stages: login/restore/java/image/push from metadata.timings (the native builder has no login stage: it speaks to the registry itself), post = post step (cache save + logout), other = the rest of the wall time (inputs, tags, buildx checks, process start). Hand-run: mvn, docker build, docker tag x4, docker login, docker push x4.\n`);
  console.log(render(sum, tg));
  console.log('\nCache entries saved:');
  for (const e of cacheEntries) console.log(`  rep ${e.rep}  ${bytes(e.size).padStart(9)}  ${e.key}`);
  console.log('\nNotes:');
  for (const n of notes) console.log(`- ${n}`);
  writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), repeat: REPEAT, host: { cpus: os.cpus().length, loadavg: os.loadavg() }, notes, summary: sum, targets: tg, cacheEntries, runs: results }, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), RESULTS)}`);
  if (results.some((r) => !r.ok)) throw new Error(`${results.filter((r) => !r.ok).length} run(s) failed; see above`);
}

main().catch((e: unknown) => {
  console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
