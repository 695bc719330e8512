import os from 'node:os';
import type { RunnerContext } from '../context.js';
import type { Inputs } from '../inputs/inputs.js';
import type { ActionIO } from '../io.js';
import { userDockerConfigDir } from '../engine/docker-config.js';
import { unwalledWarning, type Isolation } from './decide.js';
import { probeIsolation } from './probe.js';
import type { Wall } from './run.js';

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
export async function prepareWall(io: ActionIO, ctx: RunnerContext, env: NodeJS.ProcessEnv, inputs: Inputs, runsRepoCode: boolean, gradleInitScript: string, buildWrites: string[]): Promise<Wall> {
  const isolation: Isolation = runsRepoCode ? await probeIsolation(inputs.buildIsolation, env) : { mode: inputs.buildIsolation, why: 'nothing of the repository runs' };
  if (runsRepoCode) {
    if (isolation.mechanism) io.info(describeWall(isolation));
    else if (isolation.mode === 'off') io.info('build-isolation is off: the Java build runs as a plain child process of the action (see the README\'s Security section).');
    else io.warning(unwalledWarning(isolation));
  }
  return {
    isolation,
    runnerTemp: ctx.runnerTemp,
    writable: [ctx.workspace, inputs.workingDirectory, env.HOME || os.homedir(), ...buildWrites],
    keep: [gradleInitScript],
    secretFiles: inputs.secrets.flatMap((s) => (s.file ? [s.file] : [])),
    dockerConfigDir: userDockerConfigDir(env),
    env,
  };
}
