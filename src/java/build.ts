import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as glob from '@actions/glob';
import { StageError } from '../errors.js';
import { toAnnotations } from '../report/locate.js';
import { javaProblems } from '../report/problems.js';
import { runRepoCode, survivorsMessage, type Wall } from '../sandbox/run.js';
import type { Inputs } from '../inputs/inputs.js';
import { readBuildFile } from './files.js';
import { artifactRoot, checkArtifact, chooseArtifact } from './artifact.js';
import { javaCommand, type JavaCommand } from './command.js';
import { detectProject, type JavaProject } from './detect.js';
import { fastPath, missedOffline, type FastPath } from './fast.js';
import { fastFacts } from './fast-facts.js';
import { choosesProjects, reactorOnDisk } from './reactor.js';
import { mavenReproducibleArgs } from './reproducible.js';

const BUILD_TIMEOUT_MS = 45 * 60 * 1000;

export interface JavaPlan {
  project?: JavaProject;
  command?: JavaCommand;
  /** What the fast path chose (fast-build), for the log; undefined when it is off. */
  fast?: FastPath;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Works out what would run, reading only the project's files. `reproducible` carries the commit time
 * and where the Gradle init script will be; the user's java-args come last and have the last word.
 */
export function planJava(inputs: Inputs, jobEnv: NodeJS.ProcessEnv, reproducible?: { commitDate: Date; gradleInitScript: string }): JavaPlan {
  const wd = inputs.workingDirectory;
  const found = detectProject(inputs.javaTool, readdirSync(wd));
  if (!found) return {};
  const top = jobEnv.GITHUB_WORKSPACE ?? path.parse(wd).root;
  // A Maven module of a reactor builds from the reactor's root, where its wrapper and .mvn/ live too.
  const reactor = found.tool === 'maven' && !choosesProjects(inputs.javaArgs) ? reactorOnDisk(wd, top) : undefined;
  const dir = reactor?.root ?? wd;
  const project: JavaProject = reactor ? { tool: 'maven', wrapper: existsSync(path.join(dir, 'mvnw')) ? 'mvnw' : undefined, chosen: found.chosen } : found;
  const wrapperExec = project.wrapper ? isExecutable(path.join(dir, project.wrapper)) : false;
  const pom = (d: string): string => readBuildFile(path.join(d, 'pom.xml'), dir);
  const repro = !reproducible
    ? []
    : project.tool === 'maven'
      ? mavenReproducibleArgs(reactor ? `${pom(dir)}\n${pom(wd)}` : pom(wd), reproducible.commitDate)
      : ['--init-script', reproducible.gradleInitScript];
  const fast = fastPath(inputs.fastBuild, fastFacts(project, dir, top, inputs, jobEnv));
  const command = javaCommand(project, [...fast.args, ...repro, ...inputs.javaArgs], wrapperExec, fast.env, reactor, fast.offline);
  return { project, command, fast: inputs.fastBuild ? fast : undefined };
}

async function globFiles(dir: string, patterns: readonly string[]): Promise<string[]> {
  // no walk through links: a link the build left may lead anywhere (checkArtifact refuses one that leaves the tree)
  const globber = await glob.create(patterns.map((p) => path.resolve(dir, p)).join('\n'), { matchDirectories: false, followSymbolicLinks: false });
  return globber.glob();
}

export interface BuildLog {
  info(m: string): void;
  warning(m: string): void;
}

/** How the build treats its dependency store: offline (an exact hit), refresh (it holds versions that move), as is. */
export type DependencyMode = 'offline' | 'refresh' | 'plain';

/**
 * The build, offline first when asked (and the command has an offline flag): an offline failure that names an
 * artifact the cache did not have is tried once more online, with a warning; any other failure stands.
 */
async function runBuild(plan: JavaPlan, wd: string, workspace: string, wall: Wall, log: BuildLog, deps: DependencyMode): Promise<void> {
  const command = plan.command as JavaCommand;
  const { file, env, cwd } = command;
  const run = async (args: string[]) => {
    const res = await runRepoCode(wall, file, args, { cwd: cwd ?? wd, env, timeoutMs: BUILD_TIMEOUT_MS, stream: true, tailLines: 30 });
    const survivors = survivorsMessage(res);
    if (survivors) log.warning(survivors);
    return res;
  };
  const offlineArgs = deps === 'offline' ? command.offline : [];
  let args = [...command.args, ...offlineArgs, ...(deps === 'refresh' ? command.refresh : [])];
  let res = await run(args);
  if (res.code !== 0 && !res.timedOut && offlineArgs.length && missedOffline(`${res.stdout}\n${res.stderr}`)) {
    log.warning(`The offline ${plan.project?.tool} build (${offlineArgs.join(' ')}, the dependency cache was an exact hit) missed an artifact the cache does not hold: trying once more online.`);
    args = command.args;
    res = await run(args);
  }
  if (res.code !== 0) {
    const why = res.timedOut ? `timed out after ${BUILD_TIMEOUT_MS / 60000} minutes` : `exited with code ${res.code}`;
    const annotations = await toAnnotations(javaProblems(`${res.stdout}\n${res.stderr}`), cwd ?? wd, workspace, `${plan.project?.tool} build`);
    throw new StageError('java', `The ${plan.project?.tool} build (${[file, ...args].join(' ')}) ${why}. Fix the build, or adjust \`java-args\`. Last lines:\n${res.tail.join('\n')}`, res.tail, annotations);
  }
}

/**
 * Runs the package step behind the wall and returns the runnable jar (absolute), or undefined when there is none
 * to build. When it returns, no process of the build is left.
 */
export async function buildJava(inputs: Inputs, plan: JavaPlan, workspace: string, wall: Wall, log: BuildLog, deps: DependencyMode = 'plain'): Promise<string | undefined> {
  const wd = inputs.workingDirectory;
  if (plan.command) await runBuild(plan, wd, workspace, wall, log, deps);
  const root = artifactRoot({ ...inputs, workspace });
  if (inputs.artifact) {
    return checkArtifact(chooseArtifact(await globFiles(wd, [inputs.artifact]), true, path.relative(process.cwd(), wd) || '.'), root, workspace);
  }
  if (!plan.command) return undefined;
  return checkArtifact(chooseArtifact(await globFiles(wd, plan.command.jarPatterns), false, plan.command.jarPatterns.join(', ')), root, workspace);
}
