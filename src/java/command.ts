import type { JavaProject } from './detect.js';

export interface JavaCommand {
  file: string;
  args: string[];
  /** Where the runnable jar is expected, relative to working-directory. */
  jarPatterns: string[];
}

/**
 * The package command: the wrapper when there is one, in batch mode, skipping tests by default
 * (the image job usually follows a test job). `extra` comes last, so `-DskipTests=false` or `build` win.
 */
export function javaCommand(project: JavaProject, extra: readonly string[], wrapperExecutable: boolean): JavaCommand {
  const launcher = (plain: string): { file: string; args: string[] } =>
    project.wrapper ? (wrapperExecutable ? { file: `./${project.wrapper}`, args: [] } : { file: 'sh', args: [project.wrapper] }) : { file: plain, args: [] };
  if (project.tool === 'maven') {
    const l = launcher('mvn');
    return {
      file: l.file,
      args: [...l.args, '--batch-mode', '--no-transfer-progress', '-DskipTests', 'package', ...extra],
      jarPatterns: ['target/*.jar', '*/target/*.jar'],
    };
  }
  const l = launcher('gradle');
  return {
    file: l.file,
    args: [...l.args, '--no-daemon', '--console=plain', 'assemble', ...extra],
    jarPatterns: ['build/libs/*.jar', '*/build/libs/*.jar'],
  };
}
