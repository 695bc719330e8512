import { describe, expect, it } from 'vitest';
import { atLeast, FAST_JVM, fastPath, gradleVersionIn, missedOffline, propertyOf, tunesJvm, userProperty, type FastFacts } from '../../../src/java/fast.js';
import { fastLine } from '../../../src/stages/java.js';

const maven = (over: Partial<FastFacts> = {}): FastFacts => ({ tool: 'maven', javaArgs: [], env: {}, jvmConfig: false, needsTestClasses: false, gradleProperties: '', ...over });
const gradle = (over: Partial<FastFacts> = {}): FastFacts => ({ ...maven(), tool: 'gradle', gradleVersion: [8, 5], ...over });

describe('fastPath: Maven', () => {
  it.each([
    ['nothing set', {}, ['-Dmaven.test.skip=true'], { MAVEN_OPTS: FAST_JVM }, ['-o']],
    ['MAVEN_OPTS without -XX', { env: { MAVEN_OPTS: '-Xmx2g' } }, ['-Dmaven.test.skip=true'], { MAVEN_OPTS: `-Xmx2g ${FAST_JVM}` }, ['-o']],
    ['MAVEN_OPTS with -XX', { env: { MAVEN_OPTS: '-XX:+UseG1GC' } }, ['-Dmaven.test.skip=true'], {}, ['-o']],
    ['JAVA_TOOL_OPTIONS', { env: { JAVA_TOOL_OPTIONS: '-Xss2m' } }, ['-Dmaven.test.skip=true'], {}, ['-o']],
    ['JDK_JAVA_OPTIONS', { env: { JDK_JAVA_OPTIONS: '-Dx=1' } }, ['-Dmaven.test.skip=true'], {}, ['-o']],
    ['.mvn/jvm.config', { jvmConfig: true }, ['-Dmaven.test.skip=true'], {}, ['-o']],
    ['a test-jar in the reactor', { needsTestClasses: true }, [], { MAVEN_OPTS: FAST_JVM }, ['-o']],
    ['java-args -DskipTests=false', { javaArgs: ['-DskipTests=false'] }, [], { MAVEN_OPTS: FAST_JVM }, ['-o']],
    ['java-args -Dmaven.test.skip=false', { javaArgs: ['-Dmaven.test.skip=false'] }, [], { MAVEN_OPTS: FAST_JVM }, ['-o']],
    ['java-args -DskipTests (same wish)', { javaArgs: ['-DskipTests'] }, ['-Dmaven.test.skip=true'], { MAVEN_OPTS: FAST_JVM }, ['-o']],
    ['java-args -o', { javaArgs: ['-o'] }, ['-Dmaven.test.skip=true'], { MAVEN_OPTS: FAST_JVM }, []],
    ['java-args --offline', { javaArgs: ['--offline'] }, ['-Dmaven.test.skip=true'], { MAVEN_OPTS: FAST_JVM }, []],
    ['java-args -U (fresh snapshots)', { javaArgs: ['-U'] }, ['-Dmaven.test.skip=true'], { MAVEN_OPTS: FAST_JVM }, []],
  ] as const)('%s', (_, over, args, env, offline) => {
    const f = fastPath(true, maven(over as Partial<FastFacts>));
    expect(f.args).toEqual(args);
    expect(f.env).toEqual(env);
    expect(f.offline).toEqual(offline);
  });

  it('is nothing at all with fast-build: false', () => {
    expect(fastPath(false, maven())).toEqual({ args: [], env: {}, offline: [], notes: [] });
    expect(fastPath(false, gradle())).toEqual({ args: [], env: {}, offline: [], notes: [] });
  });

  it('says why tests are compiled', () => {
    expect(fastPath(true, maven({ needsTestClasses: true })).notes).toContain('tests compiled (a module builds or takes a test-jar)');
  });
});

describe('fastPath: Gradle', () => {
  it.each([
    ['8.5', { gradleVersion: [8, 5] }, ['--build-cache', '--configuration-cache', '--configuration-cache-problems=warn'], ['--offline']],
    ['8.1', { gradleVersion: [8, 1] }, ['--build-cache', '--configuration-cache', '--configuration-cache-problems=warn'], ['--offline']],
    ['8.0: no stable configuration cache', { gradleVersion: [8, 0] }, ['--build-cache'], ['--offline']],
    ['4.4 (Debian)', { gradleVersion: [4, 4] }, ['--build-cache'], ['--offline']],
    ['3.4: no build cache', { gradleVersion: [3, 4] }, [], ['--offline']],
    ['an unknown version: only --offline', { gradleVersion: undefined }, [], ['--offline']],
    ['org.gradle.caching set by the project', { gradleProperties: 'org.gradle.caching=false\n' }, ['--configuration-cache', '--configuration-cache-problems=warn'], ['--offline']],
    ['org.gradle.configuration-cache set by the project', { gradleProperties: 'org.gradle.configuration-cache = false' }, ['--build-cache'], ['--offline']],
    ['java-args --no-build-cache', { javaArgs: ['--no-build-cache'] }, ['--configuration-cache', '--configuration-cache-problems=warn'], ['--offline']],
    ['java-args --no-configuration-cache', { javaArgs: ['--no-configuration-cache'] }, ['--build-cache'], ['--offline']],
    ['java-args --offline', { javaArgs: ['--offline'] }, ['--build-cache', '--configuration-cache', '--configuration-cache-problems=warn'], []],
    ['java-args --refresh-dependencies', { javaArgs: ['--refresh-dependencies'] }, ['--build-cache', '--configuration-cache', '--configuration-cache-problems=warn'], []],
  ] as const)('%s', (_, over, args, offline) => {
    const f = fastPath(true, gradle(over as Partial<FastFacts>));
    expect(f.args).toEqual(args);
    expect(f.offline).toEqual(offline);
    expect(f.env).toEqual({});
  });
});

describe('the facts it reads', () => {
  it.each([
    [['-Dx=1'], 'x', '1'],
    [['-Dx'], 'x', 'true'],
    [['-Dx=1', '-Dx=2'], 'x', '2'],
    [['-Dxy=1'], 'x', undefined],
    [[], 'x', undefined],
  ] as const)('userProperty %j %s', (args, name, want) => expect(userProperty(args, name)).toBe(want));

  it.each([
    ['gradle-8.5-bin.zip', [8, 5]],
    ['gradle-8.10.2-all.zip', [8, 10]],
    ['gradle-launcher-4.4.1.jar', [4, 4]],
    ['something.zip', undefined],
  ] as const)('gradleVersionIn %s', (name, want) => expect(gradleVersionIn(name)).toEqual(want));

  it('compares versions', () => {
    expect(atLeast([8, 1], [8, 1])).toBe(true);
    expect(atLeast([9, 0], [8, 1])).toBe(true);
    expect(atLeast([8, 0], [8, 1])).toBe(false);
    expect(atLeast(undefined, [3, 5])).toBe(false);
  });

  it('reads a property, not a comment or a longer key', () => {
    expect(propertyOf('# org.gradle.caching=true\norg.gradle.caching.debug=true\n', 'org.gradle.caching')).toBeUndefined();
    expect(propertyOf('org.gradle.caching: true', 'org.gradle.caching')).toBe('true');
  });

  it('tells a tuned JVM', () => {
    expect(tunesJvm({}, false)).toBe(false);
    expect(tunesJvm({ MAVEN_OPTS: '-Xmx1g', JAVA_TOOL_OPTIONS: ' ' }, false)).toBe(false);
    expect(tunesJvm({ MAVEN_OPTS: '-XX:MaxRAMPercentage=50' }, false)).toBe(true);
  });
});

describe('missedOffline: one online retry only for an artifact the cache lacks', () => {
  it.each([
    // Maven 3.8.7, measured here: a plugin, a parent pom, a dependency
    '[ERROR] Plugin org.apache.maven.plugins:maven-resources-plugin:3.3.0 or one of its dependencies could not be resolved: Cannot access central (https://repo.maven.apache.org/maven2) in offline mode and the artifact org.apache.maven.plugins:maven-resources-plugin:jar:3.3.0 has not been downloaded from it before. -> [Help 1]',
    "[FATAL] Non-resolvable parent POM for com.acme:hello-service:1.0.0: Cannot access central (https://repo.maven.apache.org/maven2) in offline mode and the artifact org.springframework.boot:spring-boot-starter-parent:pom:3.5.16 has not been downloaded from it before. and 'parent.relativePath' points at no local POM @ line 7, column 11",
    '[ERROR] Failed to execute goal on project hello-service: Could not resolve dependencies for project com.acme:hello-service:jar:1.0.0: Cannot access debian (file:///usr/share/maven-repo) in offline mode and the artifact org.apache.commons:commons-text:jar:1.10.0 has not been downloaded from it before. -> [Help 1]',
    // Maven 3.9's wording (its resolver's messages; not run here)
    '[ERROR] Failed to execute goal on project app: Could not resolve dependencies for project com.acme:app:jar:1.0: The following artifacts could not be resolved: org.x:y:jar:1.0 (absent): Cannot access central (https://repo.maven.apache.org/maven2) in offline mode and the artifact org.x:y:jar:1.0 has not been downloaded from it before.',
    '[ERROR] Failed to execute goal on project app: Could not resolve dependencies for project com.acme:app:jar:1.0: The following artifacts could not be resolved: org.x:y:jar:1.0 (present, but unavailable): Artifact org.x:y:jar:1.0 is present but unavailable',
    // Gradle 4.4.1, measured here
    "Could not resolve all files for configuration ':compileClasspath'.\n> Could not resolve org.apache.commons:commons-lang3:3.12.0.\n   > No cached version of org.apache.commons:commons-lang3:3.12.0 available for offline mode.",
    // Gradle 8's wording for a plugin (not run here)
    "Plugin [id: 'org.springframework.boot', version: '3.5.0'] was not found in any of the following sources:",
    'No cached version listing for org.x:y:+ available for offline mode.',
  ])('retries: %s', (out) => expect(missedOffline(out)).toBe(true));

  it.each([
    '[ERROR] COMPILATION ERROR : \n[ERROR] /w/src/main/java/A.java:[3,1] class, interface, enum, or record expected',
    '[ERROR] Tests run: 3, Failures: 1',
    "Execution failed for task ':compileJava'.\n> Compilation failed; see the compiler error output for details.",
    '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-enforcer-plugin:3.4.1:enforce (enforce) on project app: Rule 0 failed',
  ])('does not retry: %s', (out) => expect(missedOffline(out)).toBe(false));
});

describe('fastLine', () => {
  it('says what the fast path adds and why the build runs offline or not', () => {
    const f = fastPath(true, maven());
    expect(fastLine(f, true, 'exact')).toBe(`Fast build (fast-build: true; java-args win): MAVEN_OPTS ${FAST_JVM}; -Dmaven.test.skip=true; offline (-o): the dependency cache was an exact hit.`);
    expect(fastLine(f, false, 'partial')).toContain('online: the dependency cache was a partial hit.');
    expect(fastLine(fastPath(true, maven({ javaArgs: ['-o'] })), false, 'exact')).toContain('online: java-args ask for it');
  });
});
