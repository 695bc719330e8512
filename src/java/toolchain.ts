import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { execute } from '../exec.js';
import { runRepoCode, type Wall } from '../sandbox/run.js';
import type { JavaCommand } from './command.js';
import type { JavaProject } from './detect.js';
import { readBuildFileIfAny } from './files.js';
import { LIMITS } from '../untrusted/limits.js';

const VERSION_TIMEOUT_MS = 30 * 1000;

/** The JDK and the build tool a build runs with, as text that changes when either does. */
export interface Toolchain {
  java: string;
  tool: string;
}

const WRAPPER_PROPERTIES = { maven: '.mvn/wrapper/maven-wrapper.properties', gradle: 'gradle/wrapper/gradle-wrapper.properties' } as const;

/** `distributionUrl` of a wrapper's properties file (`\:` unescaped), if it names one. Pure. */
export function distributionUrl(properties: string): string | undefined {
  const m = /^\s*distributionUrl\s*[=:]\s*(.+?)\s*$/m.exec(properties);
  return m ? m[1].replace(/\\(.)/g, '$1') : undefined;
}

/** The line of `mvn -v` / `gradle -v` that names the version ("Apache Maven 3.8.7 (…)", "Gradle 4.4.1"). Pure. */
export function toolVersionLine(output: string): string | undefined {
  // Maven colours its banner even into a pipe
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  return plain.split(/\r?\n/).find((l) => /^(Apache Maven|Maven|Gradle) \d/.test(l.trim()))?.trim();
}

async function versionOutput(file: string, args: string[], opts: { cwd: string; env?: Record<string, string> }, wall?: Wall): Promise<string> {
  // `mvn --version` reads the project's .mvn/jvm.config and extensions, Gradle its gradle.properties: repository code
  const r = wall ? await runRepoCode(wall, file, args, { ...opts, timeoutMs: VERSION_TIMEOUT_MS }) : await execute(file, args, { ...opts, timeoutMs: VERSION_TIMEOUT_MS });
  if (r.code !== 0) throw new Error(r.timedOut ? `${file} ${args.join(' ')} took longer than ${VERSION_TIMEOUT_MS / 1000} s` : `${file} ${args.join(' ')} exited with code ${r.code}`);
  return `${r.stdout}\n${r.stderr}`.trim();
}

/**
 * The JDK the build tool will run: JAVA_HOME's `release` file (the cheap source, as Maven and Gradle both honour
 * JAVA_HOME), else what `java -version` on PATH says.
 */
async function javaVersion(env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const home = env.JAVA_HOME;
  if (home && existsSync(path.join(home, 'release'))) return `release:${readFileSync(path.join(home, 'release'), 'utf8').trim()}`;
  const java = home ? path.join(home, 'bin', 'java') : 'java';
  return `java -version:${await versionOutput(java, ['-version'], { cwd })}`;
}

/** The build tool's version: the wrapper's distributionUrl, else the first line of `mvn -v` / `gradle -v`. */
async function toolVersion(project: JavaProject, command: JavaCommand, workingDirectory: string, wall: Wall): Promise<string> {
  if (project.wrapper) {
    const text = readBuildFileIfAny(path.join(workingDirectory, WRAPPER_PROPERTIES[project.tool]), workingDirectory, LIMITS.settingsFileBytes);
    const url = text === undefined ? undefined : distributionUrl(text);
    if (!url) throw new Error(`${WRAPPER_PROPERTIES[project.tool]} names no distributionUrl`);
    return `${project.tool} wrapper:${url}`;
  }
  const out = await versionOutput(command.file, ['--version'], { cwd: workingDirectory, env: command.env }, wall);
  return toolVersionLine(out) ?? out;
}

/** Never throws: `why` says which version could not be told. */
export async function toolchain(project: JavaProject, command: JavaCommand, workingDirectory: string, env: NodeJS.ProcessEnv, wall: Wall): Promise<Toolchain | { why: string }> {
  try {
    const [java, tool] = await Promise.all([javaVersion(env, workingDirectory), toolVersion(project, command, workingDirectory, wall)]);
    return { java, tool };
  } catch (e) {
    return { why: `the JDK or ${project.tool} version could not be told (${errorMessage(e)})` };
  }
}
