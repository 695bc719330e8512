import { InputError } from '../errors.js';
import type { JavaTool } from '../inputs/inputs.js';

export type BuildTool = 'maven' | 'gradle';

export interface JavaProject {
  tool: BuildTool;
  /** Wrapper script file name ('mvnw', 'gradlew') when the project ships one. */
  wrapper?: string;
}

const MAVEN_FILES = ['pom.xml'];
const GRADLE_FILES = ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'];

/** Decides the build tool from the names of the files in working-directory. Pure. */
export function detectProject(requested: JavaTool, files: readonly string[]): JavaProject | undefined {
  const has = (f: string): boolean => files.includes(f);
  const maven: JavaProject = { tool: 'maven', wrapper: has('mvnw') ? 'mvnw' : undefined };
  const gradle: JavaProject = { tool: 'gradle', wrapper: has('gradlew') ? 'gradlew' : undefined };
  const isMaven = has('mvnw') || MAVEN_FILES.some(has);
  const isGradle = has('gradlew') || GRADLE_FILES.some(has);
  switch (requested) {
    case 'none':
      return undefined;
    case 'maven':
      if (!isMaven) throw new InputError('java-tool', 'is maven, but working-directory has no pom.xml or mvnw; set `working-directory` to the Maven project.');
      return maven;
    case 'gradle':
      if (!isGradle) throw new InputError('java-tool', 'is gradle, but working-directory has no build.gradle(.kts), settings.gradle(.kts) or gradlew; set `working-directory` to the Gradle project.');
      return gradle;
    case 'auto':
      if (isMaven && isGradle) {
        throw new InputError('java-tool', 'working-directory holds both a Maven and a Gradle build; set `java-tool: maven` or `java-tool: gradle`.');
      }
      return isMaven ? maven : isGradle ? gradle : undefined;
  }
}
