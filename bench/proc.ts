/** Processes for the bench: every command bounded in time, by its own time-out and by the bench's budget. */
import { spawn, type ChildProcess } from 'node:child_process';

const BUDGET_MS = Number(process.env.BENCH_TIMEOUT_MIN ?? '90') * 60 * 1000;
const DEADLINE = Date.now() + BUDGET_MS;
export const STEP_TIMEOUT_MS = 10 * 60 * 1000;
export const BUDGET_MIN = BUDGET_MS / 60000;

const live = new Set<ChildProcess>();
let aborted: string | undefined;

/** On SIGINT/SIGTERM: every command still running is killed, and no new one starts, except clean-up. */
export function abortAll(why: string): void {
  aborted = why;
  for (const c of live) c.kill('SIGKILL');
}

export function timeLeft(): number {
  if (aborted) throw new Error(`bench stopped (${aborted})`);
  const left = DEADLINE - Date.now();
  if (left <= 0) throw new Error(`bench budget of ${BUDGET_MIN} min exhausted (BENCH_TIMEOUT_MIN)`);
  return left;
}

export interface Cmd {
  code: number;
  out: string;
  ms: number;
}

export interface RunOpts {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Clean-up: runs even after the budget is spent or the bench was stopped, bounded by its own time-out. */
  cleanup?: boolean;
}

export function run(cmd: string, args: string[], opts: RunOpts = {}): Promise<Cmd> {
  const timeoutMs = opts.cleanup ? (opts.timeoutMs ?? 120_000) : Math.min(opts.timeoutMs ?? STEP_TIMEOUT_MS, timeLeft());
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
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
      live.delete(child);
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, ms: performance.now() - t0 });
    });
    // a command that exits without reading its stdin (git, a fast docker call) must not crash the bench with EPIPE
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

export async function must(cmd: string, args: string[], opts: RunOpts = {}): Promise<Cmd> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${tail(r.out)}`);
  return r;
}

export const tail = (s: string, n = 15): string =>
  s
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('::debug::'))
    .slice(-n)
    .join('\n');

/** git with the commit time now: the action builds reproducibly from it, so the bench's jars are its own. */
export function git(dir: string, ...a: string[]): Promise<Cmd> {
  const now = new Date().toISOString();
  return must('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: dir, env: { ...process.env, GIT_AUTHOR_DATE: now, GIT_COMMITTER_DATE: now }, timeoutMs: 30_000 });
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
