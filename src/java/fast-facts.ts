import { existsSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../inputs/inputs.js';
import type { JavaProject } from './detect.js';
import { gradleVersionIn, type FastFacts, type Version } from './fast.js';
import { readBuildFileIfAny } from './files.js';
import { reactorPoms, usesTestJar } from './reactor.js';
import { distributionUrl } from './toolchain.js';
import { LIMITS } from '../untrusted/limits.js';

/** The version of the `gradle` on PATH, from its lib/gradle-launcher-X.Y.jar (no JVM started). */
function installedGradle(envPath: string | undefined): Version | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter).filter(Boolean)) {
    const bin = path.join(dir, 'gradle');
    if (!existsSync(bin)) continue;
    try {
      const lib = path.join(path.dirname(path.dirname(realpathSync(bin))), 'lib');
      const launcher = readdirSync(lib).find((f) => /^gradle-launcher-\d/.test(f));
      return launcher ? gradleVersionIn(launcher) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The Gradle version a build in `dir` runs: the wrapper's distributionUrl, else the installed one. */
function gradleVersion(dir: string, project: JavaProject, env: NodeJS.ProcessEnv): Version | undefined {
  if (!project.wrapper) return installedGradle(env.PATH);
  const props = readBuildFileIfAny(path.join(dir, 'gradle', 'wrapper', 'gradle-wrapper.properties'), dir, LIMITS.settingsFileBytes);
  const url = props === undefined ? undefined : distributionUrl(props);
  return url ? gradleVersionIn(path.basename(url)) : undefined;
}

/** What the fast path looks at, read from the project in `dir` (where the build runs; poms inside `top`) and the job's environment. */
export function fastFacts(project: JavaProject, dir: string, top: string, inputs: Inputs, env: NodeJS.ProcessEnv): FastFacts {
  const base = { tool: project.tool, javaArgs: inputs.javaArgs, env: { MAVEN_OPTS: env.MAVEN_OPTS, JAVA_TOOL_OPTIONS: env.JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS: env.JDK_JAVA_OPTIONS } };
  if (project.tool === 'maven') {
    const poms = reactorPoms(dir, (d) => readBuildFileIfAny(path.join(d, 'pom.xml'), top));
    return { ...base, jvmConfig: existsSync(path.join(dir, '.mvn', 'jvm.config')), needsTestClasses: poms.some(usesTestJar), gradleProperties: '' };
  }
  const gradleProperties = readBuildFileIfAny(path.join(dir, 'gradle.properties'), dir, LIMITS.settingsFileBytes) ?? '';
  return { ...base, jvmConfig: false, needsTestClasses: false, gradleVersion: gradleVersion(dir, project, env), gradleProperties };
}
