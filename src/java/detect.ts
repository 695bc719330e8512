import { InputError } from '../errors.js';
import type { JavaTool } from '../inputs/inputs.js';

export type BuildTool = 'maven' | 'gradle';

export interface JavaProject {
  tool: BuildTool;
  /** Wrapper script file name ('mvnw', 'gradlew') when the project ships one. */
  wrapper?: string;
  /** Why this tool, when the directory holds both builds and java-tool is auto: the one line the log shows. */
  chosen?: string;
}

const MAVEN_FILES = ['pom.xml'];
const GRADLE_FILES = ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'];

/** Both builds in one directory: the one with a wrapper when only one has one, else Maven. Pure. */
function bothBuilds(maven: JavaProject, gradle: JavaProject): JavaProject {
  const head = 'Both pom.xml and build.gradle: using';
  const override = 'set `java-tool` to choose';
  if (gradle.wrapper && !maven.wrapper) return { ...gradle, chosen: `${head} Gradle (only Gradle has a wrapper, gradlew); ${override}.` };
  const why = !maven.wrapper ? 'neither has a wrapper, and Maven comes first' : gradle.wrapper ? 'both have a wrapper, and Maven comes first' : 'only Maven has a wrapper, mvnw';
  return { ...maven, chosen: `${head} Maven (${why}); ${override}.` };
}

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
      if (isMaven && isGradle) return bothBuilds(maven, gradle);
      return isMaven ? maven : isGradle ? gradle : undefined;
  }
}
