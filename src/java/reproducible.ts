import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Maven's reproducible-build switch, unless the project sets its own. Pure. */
export function mavenReproducibleArgs(pom: string, commitDate: Date): string[] {
  if (pom.includes('project.build.outputTimestamp')) return [];
  return [`-Dproject.build.outputTimestamp=${commitDate.toISOString().replace(/\.\d{3}Z$/, 'Z')}`];
}

/** Gradle init script: archives without file timestamps, in a fixed file order (works from Gradle 3.4 on). */
export const GRADLE_INIT_SCRIPT = `// written by image-publish: reproducible archives
allprojects {
    tasks.withType(AbstractArchiveTask) {
        preserveFileTimestamps = false
        reproducibleFileOrder = true
    }
}
`;

export function gradleInitScriptPath(runnerTemp: string): string {
  return path.join(runnerTemp, 'image-publish-reproducible.gradle');
}

export function writeGradleInitScript(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, GRADLE_INIT_SCRIPT);
}
