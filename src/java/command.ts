import type { JavaProject } from './detect.js';
import type { Reactor } from './reactor.js';

export interface JavaCommand {
  file: string;
  args: string[];
  /** Environment for the build on top of the job's. */
  env: Record<string, string>;
  /** Where the runnable jar is expected, relative to working-directory. */
  jarPatterns: string[];
  /** Where the build runs when that is not working-directory: the root of the reactor the module belongs to. */
  cwd?: string;
  /** Added on an exact dependency cache hit (the fast path); empty when off or when java-args contradict it. */
  offline: string[];
  /** Added when a restored dependency cache holds versions that move (Maven's -U); empty when java-args decide. */
  refresh: string[];
}

/** Maven flags by which java-args decide offline or update checks themselves: then the action adds neither. */
export const MAVEN_NETWORK_FLAGS: readonly string[] = ['-o', '--offline', '-U', '--update-snapshots'];

/**
 * The package command: the wrapper when there is one, in batch mode, skipping tests by default
 * (the image job usually follows a test job). `extra` comes last, so `-DskipTests=false` or `build` win.
 */
export function javaCommand(project: JavaProject, extra: readonly string[], wrapperExecutable: boolean, env: Record<string, string> = {}, reactor?: Reactor, offline: string[] = []): JavaCommand {
  const launcher = (plain: string): { file: string; args: string[] } =>
    project.wrapper ? (wrapperExecutable ? { file: `./${project.wrapper}`, args: [] } : { file: 'sh', args: [project.wrapper] }) : { file: plain, args: [] };
  if (project.tool === 'maven') {
    const l = launcher('mvn');
    return {
      file: l.file,
      args: [...l.args, '--batch-mode', '--no-transfer-progress', '-DskipTests', ...(reactor ? ['--projects', reactor.module, '--also-make'] : []), 'package', ...extra],
      env,
      offline,
      refresh: extra.some((a) => MAVEN_NETWORK_FLAGS.includes(a)) ? [] : ['-U'],
      jarPatterns: ['target/*.jar', '*/target/*.jar'],
      ...(reactor ? { cwd: reactor.root } : {}),
    };
  }
  const l = launcher('gradle');
  return {
    file: l.file,
    args: [...l.args, '--no-daemon', '--console=plain', 'assemble', ...extra],
    env,
    offline,
    // Gradle keeps its own time limits on dynamic versions (cacheDynamicVersionsFor); --refresh-dependencies re-reads everything
    refresh: [],
    jarPatterns: ['build/libs/*.jar', '*/build/libs/*.jar'],
  };
}
