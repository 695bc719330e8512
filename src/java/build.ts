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
import { javaCommand, mavenOpts, type JavaCommand } from './command.js';
import { detectProject, type JavaProject } from './detect.js';
import { choosesProjects, reactorOnDisk } from './reactor.js';
import { mavenReproducibleArgs } from './reproducible.js';

const BUILD_TIMEOUT_MS = 45 * 60 * 1000;

export interface JavaPlan {
  project?: JavaProject;
  command?: JavaCommand;
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
  // A Maven module of a reactor builds from the reactor's root, where its wrapper and .mvn/ live too.
  const reactor = found.tool === 'maven' && !choosesProjects(inputs.javaArgs) ? reactorOnDisk(wd, jobEnv.GITHUB_WORKSPACE ?? path.parse(wd).root) : undefined;
  const dir = reactor?.root ?? wd;
  const project: JavaProject = reactor ? { tool: 'maven', wrapper: existsSync(path.join(dir, 'mvnw')) ? 'mvnw' : undefined } : found;
  const wrapperExec = project.wrapper ? isExecutable(path.join(dir, project.wrapper)) : false;
  const pom = (d: string): string => readBuildFile(path.join(d, 'pom.xml'), dir);
  const repro = !reproducible
    ? []
    : project.tool === 'maven'
      ? mavenReproducibleArgs(reactor ? `${pom(dir)}\n${pom(wd)}` : pom(wd), reproducible.commitDate)
      : ['--init-script', reproducible.gradleInitScript];
  const opts = project.tool === 'maven' ? mavenOpts(jobEnv.MAVEN_OPTS, existsSync(path.join(dir, '.mvn', 'jvm.config'))) : undefined;
  return { project, command: javaCommand(project, [...repro, ...inputs.javaArgs], wrapperExec, opts ? { MAVEN_OPTS: opts } : {}, reactor) };
}

async function globFiles(dir: string, patterns: readonly string[]): Promise<string[]> {
  // no walk through links: a link the build left may lead anywhere (checkArtifact refuses one that leaves the tree)
  const globber = await glob.create(patterns.map((p) => path.resolve(dir, p)).join('\n'), { matchDirectories: false, followSymbolicLinks: false });
  return globber.glob();
}

/**
 * Runs the package step behind the wall and returns the runnable jar (absolute), or undefined when there is none
 * to build. When it returns, no process of the build is left.
 */
export async function buildJava(inputs: Inputs, plan: JavaPlan, workspace: string, wall: Wall, warn: (m: string) => void): Promise<string | undefined> {
  const wd = inputs.workingDirectory;
  if (plan.command) {
    const { file, args, env, cwd } = plan.command;
    const res = await runRepoCode(wall, file, args, { cwd: cwd ?? wd, env, timeoutMs: BUILD_TIMEOUT_MS, stream: true, tailLines: 30 });
    const survivors = survivorsMessage(res);
    if (survivors) warn(survivors);
    if (res.code !== 0) {
      const why = res.timedOut ? `timed out after ${BUILD_TIMEOUT_MS / 60000} minutes` : `exited with code ${res.code}`;
      const annotations = await toAnnotations(javaProblems(`${res.stdout}\n${res.stderr}`), cwd ?? wd, workspace, `${plan.project?.tool} build`);
      throw new StageError('java', `The ${plan.project?.tool} build (${[file, ...args].join(' ')}) ${why}. Fix the build, or adjust \`java-args\`. Last lines:\n${res.tail.join('\n')}`, res.tail, annotations);
    }
  }
  const root = artifactRoot({ ...inputs, workspace });
  if (inputs.artifact) {
    return checkArtifact(chooseArtifact(await globFiles(wd, [inputs.artifact]), true, path.relative(process.cwd(), wd) || '.'), root, workspace);
  }
  if (!plan.command) return undefined;
  return checkArtifact(chooseArtifact(await globFiles(wd, plan.command.jarPatterns), false, plan.command.jarPatterns.join(', ')), root, workspace);
}
