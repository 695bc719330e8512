import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { runPost } from '../../../src/cleanup.ts';
import { errorMessage } from '../../../src/errors.ts';
import { runMain, type RunDeps } from '../../../src/run.ts';
import { jobEnv, ROOT, type GitEvent } from '../../support/runner.ts';
import { fakeBuilders } from './builder.ts';
import { RecordingIO } from './io.ts';

/** A run of main then post in this process: what the runner would have shown and kept. */
export interface InProcessRun {
  /** What main threw: the message main.ts hands to setFailed. Undefined when main succeeded. */
  error?: string;
  /** What post threw (post.ts only warns about it). */
  postError?: string;
  outputs: Record<string, string>;
  /** main's log, in @actions/core's command syntax. */
  log: string;
  postLog: string;
  summary: string;
  state: Record<string, string>;
  /** Every value main or post asked the runner to mask. */
  secrets: string[];
  runnerTemp: string;
  home: string;
  /** Everything the run wrote where a secret must never be: logs, outputs, state, summary, the error. */
  everything: string;
}

/** action.yml's defaults, as the runner fills in every input the workflow leaves out (`${{ … }}` left empty). */
function actionDefaults(): Record<string, string> {
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  return Object.fromEntries(Object.entries(action.inputs).map(([name, i]) => [name, i.default === undefined || /\$\{\{/.test(i.default) ? '' : String(i.default)]));
}

export interface InProcessOptions {
  inputs: Record<string, string>;
  event: GitEvent;
  workspace: string;
  /** On top of the runner's variables; HOME is a fresh empty directory unless given. */
  env?: Record<string, string>;
  /** The fake builder by default; 'real' runs the real builders (the native one needs no engine). */
  builders?: RunDeps['createBuilder'] | 'real';
  runnerTemp?: string;
  now?: Date;
}

/** The runner's environment for one job, as __tests__/support/runner.ts gives the bundle. */
function runnerEnv(opts: InProcessOptions, dir: string, runnerTemp: string): NodeJS.ProcessEnv {
  const eventPath = path.join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(opts.event.payload));
  const home = path.join(dir, 'home');
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH, HOME: home, ...jobEnv(opts.event, opts.workspace, runnerTemp), GITHUB_EVENT_PATH: eventPath, ...opts.env };
}

/** Runs the pipeline's main, then post with the state main saved, against in-process fakes only. */
export async function runInProcess(opts: InProcessOptions): Promise<InProcessRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-inproc-'));
  const runnerTemp = opts.runnerTemp ?? path.join(dir, 'runner-temp');
  mkdirSync(runnerTemp, { recursive: true });
  const env = runnerEnv(opts, dir, runnerTemp);
  const inputs = { ...actionDefaults(), ...opts.inputs };
  const state: Record<string, string> = {};
  const main = new RecordingIO(inputs, state);
  const deps: RunDeps | undefined = opts.builders === 'real' ? undefined : { createBuilder: opts.builders ?? fakeBuilders() };
  let error: string | undefined;
  await runMain(main, env, opts.now ?? new Date(), deps).catch((e: unknown) => (error = errorMessage(e)));
  const post = new RecordingIO(inputs, state);
  let postError: string | undefined;
  await runPost(post).catch((e: unknown) => (postError = errorMessage(e)));
  const outputs = main.outputs;
  return {
    error,
    postError,
    outputs,
    log: main.log,
    postLog: post.log,
    summary: main.summary,
    state: main.stateValues,
    secrets: [...main.secrets, ...post.secrets],
    runnerTemp,
    home: String(env.HOME),
    everything: [main.log, post.log, ...Object.values(outputs), ...Object.values(main.stateValues), main.summary, error ?? '', postError ?? ''].join('\n'),
  };
}
