import type { BuildTool } from './detect.js';
import { MAVEN_NETWORK_FLAGS } from './command.js';

/**
 * The JIT setting for a short build: C1 only. Measured (README, Speed) on example/ and a 10-module build: it halves
 * Maven's CPU time on both; the serial GC gained nothing on its own and lost a little on the larger build.
 */
export const FAST_JVM = '-XX:TieredStopAtLevel=1';

/** Gradle's `--configuration-cache` is stable from 8.1; `--build-cache` exists from 3.5. */
const CONFIGURATION_CACHE_FROM: Version = [8, 1];
const BUILD_CACHE_FROM: Version = [3, 5];

export type Version = readonly [number, number];

/** What the fast path looks at, read from the project and the job before anything runs. */
export interface FastFacts {
  tool: BuildTool;
  javaArgs: readonly string[];
  /** The job's MAVEN_OPTS, JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS. */
  env: Readonly<Record<string, string | undefined>>;
  /** Maven: .mvn/jvm.config exists. Gradle: not looked at (its JVM is left alone). */
  jvmConfig: boolean;
  /** Maven: a pom of the reactor builds or takes a test-jar, so test classes must be compiled. */
  needsTestClasses: boolean;
  /** Gradle: the version the build runs with, when it can be told. */
  gradleVersion?: Version;
  /** Gradle: gradle.properties, as text ('' when there is none). */
  gradleProperties: string;
}

/** The fast path of one build: `args` go before the user's java-args; `offline` is added on an exact dependency cache hit. */
export interface FastPath {
  args: string[];
  env: Record<string, string>;
  offline: string[];
  /** What was chosen, for the log. */
  notes: string[];
}

const NONE: FastPath = { args: [], env: {}, offline: [], notes: [] };

/** The last value java-args give `-Dname` (`-Dname` alone is "true"), if any. Pure. */
export function userProperty(args: readonly string[], name: string): string | undefined {
  let v: string | undefined;
  for (const a of args) {
    if (a === `-D${name}`) v = 'true';
    else if (a.startsWith(`-D${name}=`)) v = a.slice(name.length + 3);
  }
  return v;
}

const has = (args: readonly string[], ...flags: string[]): boolean => args.some((a) => flags.includes(a));

/** Whether the job or the project already tunes Maven's JVM, so the fast path leaves it alone. Pure. */
export function tunesJvm(env: FastFacts['env'], jvmConfig: boolean): boolean {
  return jvmConfig || /-XX:/.test(env.MAVEN_OPTS ?? '') || Boolean(env.JAVA_TOOL_OPTIONS?.trim()) || Boolean(env.JDK_JAVA_OPTIONS?.trim());
}

function mavenFast(f: FastFacts): FastPath {
  const out: FastPath = { args: [], env: {}, offline: [], notes: [] };
  if (!tunesJvm(f.env, f.jvmConfig)) {
    out.env.MAVEN_OPTS = `${f.env.MAVEN_OPTS ?? ''} ${FAST_JVM}`.trim();
    out.notes.push(`MAVEN_OPTS ${FAST_JVM}`);
  }
  // -DskipTests=false or any maven.test.skip of the user's: tests are theirs to decide
  const userTests = userProperty(f.javaArgs, 'maven.test.skip') !== undefined || (userProperty(f.javaArgs, 'skipTests') ?? 'true') !== 'true';
  if (f.needsTestClasses) out.notes.push('tests compiled (a module builds or takes a test-jar)');
  else if (!userTests) {
    out.args.push('-Dmaven.test.skip=true');
    out.notes.push('-Dmaven.test.skip=true');
  }
  // -U asks for fresh snapshots: offline would contradict it
  if (!has(f.javaArgs, ...MAVEN_NETWORK_FLAGS)) out.offline.push('-o');
  return out;
}

/** A `key=value` of a .properties text, if set. Pure. */
export function propertyOf(text: string, key: string): string | undefined {
  const esc = key.replace(/[.]/g, '\\.');
  const m = new RegExp(`^\\s*${esc}\\s*[=:]\\s*(.*?)\\s*$`, 'm').exec(text);
  return m ? m[1] : undefined;
}

export function atLeast(v: Version | undefined, min: Version): boolean {
  return v !== undefined && (v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]));
}

function gradleFast(f: FastFacts): FastPath {
  const out: FastPath = { args: [], env: {}, offline: [], notes: [] };
  const mentions = (word: string): boolean => f.javaArgs.some((a) => a.includes(word));
  if (atLeast(f.gradleVersion, BUILD_CACHE_FROM) && !mentions('build-cache') && propertyOf(f.gradleProperties, 'org.gradle.caching') === undefined) {
    out.args.push('--build-cache');
    out.notes.push('--build-cache');
  }
  const ccSet = ['org.gradle.configuration-cache', 'org.gradle.unsafe.configuration-cache'].some((k) => propertyOf(f.gradleProperties, k) !== undefined);
  if (atLeast(f.gradleVersion, CONFIGURATION_CACHE_FROM) && !mentions('configuration-cache') && !ccSet) {
    // warn, not fail: a plugin that does not support it must not break a build that works without it
    out.args.push('--configuration-cache', '--configuration-cache-problems=warn');
    out.notes.push('--configuration-cache');
  }
  if (!has(f.javaArgs, '--offline', '--refresh-dependencies')) out.offline.push('--offline');
  return out;
}

/** The fast path for this build; nothing when `fast-build` is off. The user's java-args come after `args`, and win. Pure. */
export function fastPath(enabled: boolean, f: FastFacts): FastPath {
  if (!enabled) return NONE;
  return f.tool === 'maven' ? mavenFast(f) : gradleFast(f);
}

/** `gradle-8.5-bin.zip` (a wrapper's distributionUrl) or `gradle-launcher-4.4.1.jar`: the version in a name. Pure. */
export function gradleVersionIn(name: string): Version | undefined {
  const m = /gradle-(?:launcher-)?(\d+)\.(\d+)/.exec(name);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Maven's and Gradle's words for an artifact an offline build does not have (Maven 3.8/3.9, Gradle 4–8). */
const MISSING_OFFLINE = [
  /in offline mode and the artifact .* has not been downloaded from it before/,
  /Cannot access \S+ \([^)]*\) in offline mode/,
  /The following artifacts could not be resolved/,
  /Could not resolve dependencies for project/,
  /Non-resolvable (parent|import) POM/,
  /Failed to read artifact descriptor for/,
  /or one of its dependencies could not be resolved/,
  /is present but unavailable/,
  /No cached version (listing )?(of|for) .* available for offline mode/,
  /Could not resolve all (files|dependencies|artifacts|task dependencies) for configuration/,
  /Plugin \[id: .*\] was not found in any of the following sources/,
];

/** Whether an offline build failed for an artifact it did not have (then one online try may help). Pure. */
export function missedOffline(output: string): boolean {
  return MISSING_OFFLINE.some((re) => re.test(output));
}
