import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as glob from '@actions/glob';
import { StageError } from '../errors.js';
import { toAnnotations } from '../report/locate.js';
import { javaProblems } from '../report/problems.js';
import { execute } from '../exec.js';
import type { Inputs } from '../inputs.js';
import { chooseArtifact } from './artifact.js';
import { javaCommand, mavenOpts, type JavaCommand } from './command.js';
import { detectProject, type JavaProject } from './detect.js';
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
  const project = detectProject(inputs.javaTool, readdirSync(inputs.workingDirectory));
  if (!project) return {};
  const wrapperExec = project.wrapper ? isExecutable(path.join(inputs.workingDirectory, project.wrapper)) : false;
  const repro = !reproducible
    ? []
    : project.tool === 'maven'
      ? mavenReproducibleArgs(readFileSync(path.join(inputs.workingDirectory, 'pom.xml'), 'utf8'), reproducible.commitDate)
      : ['--init-script', reproducible.gradleInitScript];
  const opts = project.tool === 'maven' ? mavenOpts(jobEnv.MAVEN_OPTS, existsSync(path.join(inputs.workingDirectory, '.mvn', 'jvm.config'))) : undefined;
  return { project, command: javaCommand(project, [...repro, ...inputs.javaArgs], wrapperExec, opts ? { MAVEN_OPTS: opts } : {}) };
}

async function globFiles(dir: string, patterns: readonly string[]): Promise<string[]> {
  const globber = await glob.create(patterns.map((p) => path.resolve(dir, p)).join('\n'), { matchDirectories: false });
  return globber.glob();
}

/** Runs the package step and returns the runnable jar (absolute), or undefined when there is none to build. */
export async function buildJava(inputs: Inputs, plan: JavaPlan, workspace: string): Promise<string | undefined> {
  const wd = inputs.workingDirectory;
  if (plan.command) {
    const { file, args, env } = plan.command;
    const res = await execute(file, args, { cwd: wd, env, timeoutMs: BUILD_TIMEOUT_MS, stream: true, tailLines: 30 });
    if (res.code !== 0) {
      const why = res.timedOut ? `timed out after ${BUILD_TIMEOUT_MS / 60000} minutes` : `exited with code ${res.code}`;
      const annotations = await toAnnotations(javaProblems(`${res.stdout}\n${res.stderr}`), wd, workspace, `${plan.project?.tool} build`);
      throw new StageError('java', `The ${plan.project?.tool} build (${[file, ...args].join(' ')}) ${why}. Fix the build, or adjust \`java-args\`. Last lines:\n${res.tail.join('\n')}`, res.tail, annotations);
    }
  }
  if (inputs.artifact) {
    return chooseArtifact(await globFiles(wd, [inputs.artifact]), true, path.relative(process.cwd(), wd) || '.');
  }
  if (!plan.command) return undefined;
  return chooseArtifact(await globFiles(wd, plan.command.jarPatterns), false, plan.command.jarPatterns.join(', '));
}
