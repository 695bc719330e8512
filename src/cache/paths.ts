import path from 'node:path';

/** The value of a `-Dname=value` among JVM or Maven arguments, the last one winning. Pure. */
export function systemProperty(args: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (const a of args) if (a.startsWith(`-D${name}=`)) found = a.slice(name.length + 3);
  return found;
}

/** Whitespace-split words of MAVEN_OPTS, .mvn/jvm.config and the like (no quoting there in practice). Pure. */
export function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter(Boolean);
}

export interface MavenHints {
  javaArgs: readonly string[];
  mavenConfig: string;
  mavenOpts: string;
  jvmConfig: string;
  /** The account's home from the password database: Java's user.home, whatever $HOME says. */
  accountHome: string;
}

/** Maven's own idea of its local repository: maven.repo.local, else ${user.home}/.m2/repository. Pure. */
export function mavenRepository(h: MavenHints): string {
  const cli = [...words(h.mavenConfig), ...h.javaArgs];
  const repo = systemProperty(cli, 'maven.repo.local') ?? systemProperty(words(h.mavenOpts), 'maven.repo.local');
  if (repo) return repo;
  const home = systemProperty([...words(h.jvmConfig), ...words(h.mavenOpts)], 'user.home') ?? h.accountHome;
  return path.join(home, '.m2', 'repository');
}

export interface GradleHints {
  javaArgs: readonly string[];
  gradleUserHome?: string;
  gradleOpts: string;
  accountHome: string;
}

/** Gradle's user home: --gradle-user-home/-g, GRADLE_USER_HOME, else ${user.home}/.gradle. Pure. */
export function gradleUserHome(h: GradleHints): string {
  const i = h.javaArgs.findIndex((a) => a === '-g' || a === '--gradle-user-home');
  if (i >= 0 && h.javaArgs[i + 1]) return h.javaArgs[i + 1];
  const eq = h.javaArgs.find((a) => a.startsWith('--gradle-user-home='));
  if (eq) return eq.slice('--gradle-user-home='.length);
  if (h.gradleUserHome) return h.gradleUserHome;
  const home = systemProperty(words(h.gradleOpts), 'user.home') ?? h.accountHome;
  return path.join(home, '.gradle');
}

/** What to keep of Gradle's home: downloaded dependencies and wrappers, without lock and GC files. Pure. */
export function gradleCachePaths(home: string): string[] {
  return [path.join(home, 'caches'), path.join(home, 'wrapper'), `!${path.join(home, 'caches', '**', '*.lock')}`, `!${path.join(home, 'caches', '**', 'gc.properties')}`];
}

/** Build files whose content decides the dependencies, as globs relative to working-directory. Pure. */
export function buildFilePatterns(tool: 'maven' | 'gradle'): string[] {
  return tool === 'maven'
    ? ['**/pom.xml', '.mvn/wrapper/maven-wrapper.properties', '.mvn/extensions.xml']
    : ['**/*.gradle', '**/*.gradle.kts', '**/gradle-wrapper.properties', 'gradle/*.versions.toml', '**/gradle.lockfile'];
}
