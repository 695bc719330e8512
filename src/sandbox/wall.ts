import os from 'node:os';
import type { RunnerContext } from '../context.js';
import type { Inputs } from '../inputs/inputs.js';
import type { ActionIO } from '../io.js';
import { unwalledWarning, type Isolation } from './decide.js';
import { probeIsolation } from './probe.js';
import type { Wall } from './run.js';

/** The run's facts the wall is made from, as prepare has worked them out. */
export interface WallParts {
  ctx: RunnerContext;
  env: NodeJS.ProcessEnv;
  inputs: Inputs;
  /** The Gradle init script in RUNNER_TEMP: the build reads it. */
  gradleInitScript: string;
  /** The runner's Docker config folder (DOCKER_CONFIG or ~/.docker). */
  dockerConfigDir: string;
  /** Where the build tool downloads to (the Maven repository, Gradle's caches), wherever they are. */
  buildWrites: string[];
}

/** One line for the log: what the wall holds. Pure. */
export function describeWall(isolation: Isolation): string {
  const how = isolation.mechanism === 'sudo' ? 'through sudo, then back to the runner user' : isolation.mechanism === 'root' ? 'as root, without capabilities' : 'in a user namespace';
  return (
    `Build isolation: the Java build runs in its own PID and mount namespaces (${isolation.mechanism}, ${how}, no new privileges): ` +
    'it sees only its own processes, and not the runner\'s command files, the action\'s files in RUNNER_TEMP, ~/.docker, file secrets or the Docker engine; ' +
    'every process of it ends with it.'
  );
}

/**
 * Decides the wall before the first side effect (the probe starts only trial sandboxes): `required` throws
 * here when the machine cannot raise it, `auto` warns once, naming what the build could read.
 */
export async function prepareWall(io: ActionIO, parts: WallParts, runsRepoCode: boolean): Promise<Wall> {
  const { ctx, env, inputs } = parts;
  const isolation: Isolation = runsRepoCode ? await probeIsolation(inputs.buildIsolation, env) : { mode: inputs.buildIsolation, why: 'nothing of the repository runs' };
  if (runsRepoCode) {
    if (isolation.mechanism) io.info(describeWall(isolation));
    else if (isolation.mode === 'off') io.info('build-isolation is off: the Java build runs as a plain child process of the action (see the README\'s Security section).');
    else io.warning(unwalledWarning(isolation));
  }
  return {
    isolation,
    runnerTemp: ctx.runnerTemp,
    writable: [ctx.workspace, inputs.workingDirectory, env.HOME || os.homedir(), ...parts.buildWrites],
    keep: [parts.gradleInitScript],
    secretFiles: inputs.secrets.flatMap((s) => (s.file ? [s.file] : [])),
    dockerConfigDir: parts.dockerConfigDir,
    env,
  };
}
