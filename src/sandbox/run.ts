import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { childEnvWith, execute, type ExecOptions, type ExecResult } from '../exec.js';
import { envFileText, sandboxArgv, type SandboxTools } from './argv.js';
import type { Isolation } from './decide.js';
import { mountPlan, OWN_PREFIX, readMountView } from './mounts.js';
import { BUILD_MARKER, killSurvivors } from './survivors.js';

/** Everything the wall around repository code needs, worked out once before the first side effect. */
export interface Wall {
  isolation: Isolation;
  runnerTemp: string;
  /** Where the build writes (workspace, working directory, HOME): never covered. */
  writable: string[];
  /** The action's files the build reads (the Gradle init script). */
  keep: string[];
  /** `secrets` entries given as files. */
  secretFiles: string[];
  dockerConfigDir: string;
  /** The step's environment: where the command files are. */
  env: NodeJS.ProcessEnv;
}

export interface RepoCodeResult extends ExecResult {
  /** Processes of an unwalled build that outlived it: how many were killed, which could not be. */
  survivors?: { killed: number; left: number[] };
}

export class SandboxError extends Error {}

/** What an unwalled build left running, said once; undefined when nothing was left. Pure. */
export function survivorsMessage(r: RepoCodeResult): string | undefined {
  const s = r.survivors;
  if (!s || (!s.killed && !s.left.length)) return undefined;
  const killed = s.killed ? `${s.killed} process${s.killed > 1 ? 'es' : ''} of the build outlived it and ${s.killed > 1 ? 'were' : 'was'} killed` : '';
  const left = s.left.length ? `${s.left.length} could not be killed (pids ${s.left.join(', ')})` : '';
  return `${[killed, left].filter(Boolean).join('; ')}. Without build isolation nothing stops a build from leaving processes behind; see build-isolation.`;
}

/** The command line as the log shows it. */
const shown = (file: string, args: readonly string[]): string => [file, ...args].join(' ');

/**
 * Runs repository code (a wrapper, the build tool, its version probe): behind the wall when the isolation has a
 * mechanism, so that every process of it dies with its PID namespace when it ends; else as a plain child whose
 * process group and marked descendants are killed when it ends.
 */
export async function runRepoCode(wall: Wall, file: string, args: readonly string[], opts: ExecOptions): Promise<RepoCodeResult> {
  const mechanism = wall.isolation.mechanism;
  if (!mechanism) {
    const marker = randomBytes(16).toString('hex');
    const res = await execute(file, args, { ...opts, env: { ...opts.env, [BUILD_MARKER]: marker }, reap: true });
    return { ...res, survivors: await killSurvivors(marker) };
  }
  mkdirSync(wall.runnerTemp, { recursive: true });
  // under RUNNER_TEMP with the action's prefix: covered inside the sandbox like the action's other files
  const dir = mkdtempSync(path.join(wall.runnerTemp, `${OWN_PREFIX}sandbox-`));
  try {
    const envFile = path.join(dir, 'env');
    writeFileSync(envFile, envFileText(childEnvWith(opts.env)), { mode: 0o600 });
    const mounts = mountPlan(readMountView(wall.env, wall.runnerTemp, wall));
    const argv = sandboxArgv({
      mechanism,
      tools: wall.isolation.facts?.tools as SandboxTools,
      uid: process.getuid?.() ?? -1,
      gid: process.getgid?.() ?? -1,
      mounts,
      envFile,
      file,
      args,
    });
    const res = await execute(argv.file, argv.args, { ...opts, display: shown(file, args), reap: true });
    const setup = res.stderr.split('\n').find((l) => l.startsWith('image-publish sandbox:'));
    if (res.code === 125 && setup) {
      throw new SandboxError(`The build's sandbox (${mechanism}) could not be set up: ${setup.slice('image-publish sandbox: '.length)}. Set build-isolation: off to build without it (see the README's Security section).`);
    }
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
