import { describe, expect, it } from 'vitest';
import { chooseArtifact, isRunnableJar } from '../../../src/java/artifact.js';
import { javaCommand } from '../../../src/java/command.js';
import { detectProject } from '../../../src/java/detect.js';

describe('detectProject', () => {
  it.each([
    ['auto', ['pom.xml', 'src'], { tool: 'maven', wrapper: undefined }],
    ['auto', ['mvnw', 'pom.xml'], { tool: 'maven', wrapper: 'mvnw' }],
    ['auto', ['build.gradle'], { tool: 'gradle', wrapper: undefined }],
    ['auto', ['gradlew', 'settings.gradle.kts', 'build.gradle.kts'], { tool: 'gradle', wrapper: 'gradlew' }],
    ['auto', ['Dockerfile', 'app.jar'], undefined],
    ['none', ['pom.xml'], undefined],
    ['maven', ['pom.xml', 'build.gradle'], { tool: 'maven', wrapper: undefined }],
    ['gradle', ['pom.xml', 'build.gradle'], { tool: 'gradle', wrapper: undefined }],
  ] as const)('%s in %j', (tool, files, want) => {
    expect(detectProject(tool, files)).toEqual(want);
  });

  it.each([
    [['pom.xml', 'build.gradle'], 'maven', undefined, 'Both pom.xml and build.gradle: using Maven (neither has a wrapper, and Maven comes first); set `java-tool` to choose.'],
    [['pom.xml', 'mvnw', 'build.gradle.kts', 'gradlew'], 'maven', 'mvnw', 'Both pom.xml and build.gradle: using Maven (both have a wrapper, and Maven comes first); set `java-tool` to choose.'],
    [['pom.xml', 'mvnw', 'settings.gradle'], 'maven', 'mvnw', 'Both pom.xml and build.gradle: using Maven (only Maven has a wrapper, mvnw); set `java-tool` to choose.'],
    [['pom.xml', 'build.gradle', 'gradlew'], 'gradle', 'gradlew', 'Both pom.xml and build.gradle: using Gradle (only Gradle has a wrapper, gradlew); set `java-tool` to choose.'],
    [['mvnw', 'gradlew'], 'maven', 'mvnw', 'Both pom.xml and build.gradle: using Maven (both have a wrapper, and Maven comes first); set `java-tool` to choose.'],
  ] as const)('auto with both builds in %j takes %s', (files, tool, wrapper, chosen) => {
    expect(detectProject('auto', files)).toEqual({ tool, wrapper, chosen });
  });

  it('java-tool overrides the choice, silently', () => {
    expect(detectProject('gradle', ['pom.xml', 'mvnw', 'build.gradle'])).toEqual({ tool: 'gradle', wrapper: undefined });
    expect(detectProject('maven', ['pom.xml', 'build.gradle', 'gradlew'])).toEqual({ tool: 'maven', wrapper: undefined });
  });

  it.each([
    ['maven', ['build.gradle'], "Input 'java-tool': is maven, but working-directory has no pom.xml or mvnw"],
    ['gradle', ['pom.xml'], "Input 'java-tool': is gradle, but working-directory has no build.gradle"],
  ] as const)('refuses %s in %j', (tool, files, message) => {
    expect(() => detectProject(tool, files)).toThrow(message);
  });
});

describe('javaCommand', () => {
  it.each([
    [{ tool: 'maven' }, [], true, 'mvn', ['--batch-mode', '--no-transfer-progress', '-DskipTests', 'package']],
    [{ tool: 'maven', wrapper: 'mvnw' }, ['-DskipTests=false'], true, './mvnw', ['--batch-mode', '--no-transfer-progress', '-DskipTests', 'package', '-DskipTests=false']],
    [{ tool: 'maven', wrapper: 'mvnw' }, [], false, 'sh', ['mvnw', '--batch-mode', '--no-transfer-progress', '-DskipTests', 'package']],
    [{ tool: 'gradle' }, [], true, 'gradle', ['--no-daemon', '--console=plain', 'assemble']],
    [{ tool: 'gradle', wrapper: 'gradlew' }, ['build'], true, './gradlew', ['--no-daemon', '--console=plain', 'assemble', 'build']],
  ] as const)('%j + %j', (project, extra, exec, file, args) => {
    const cmd = javaCommand(project, extra, exec);
    expect(cmd.file).toBe(file);
    expect(cmd.args).toEqual(args);
  });

  it('carries the offline flag apart from the args, so the jar cache key does not depend on the hit', () => {
    const cmd = javaCommand({ tool: 'maven' }, [], true, {}, undefined, ['-o']);
    expect(cmd.offline).toEqual(['-o']);
    expect(cmd.args).not.toContain('-o');
  });

  it.each([
    [{ tool: 'maven' }, [], ['-U']],
    [{ tool: 'maven' }, ['-o'], []],
    [{ tool: 'maven' }, ['--update-snapshots'], []],
    [{ tool: 'gradle' }, [], []],
  ] as const)('%j + %j: checks moving versions with %j, apart from the args', (project, extra, refresh) => {
    const cmd = javaCommand(project, extra, true);
    expect(cmd.refresh).toEqual(refresh);
    expect(cmd.args.filter((a) => a === '-U')).toEqual([]);
  });

  it('expects jars where each tool puts them', () => {
    expect(javaCommand({ tool: 'maven' }, [], true).jarPatterns).toEqual(['target/*.jar', '*/target/*.jar']);
    expect(javaCommand({ tool: 'gradle' }, [], true).jarPatterns).toEqual(['build/libs/*.jar', '*/build/libs/*.jar']);
  });
});

describe('artifact choice', () => {
  it.each([
    ['target/app-1.0.jar', true],
    ['build/libs/app-1.0-plain.jar', false],
    ['target/app-1.0-sources.jar', false],
    ['target/app-1.0-javadoc.jar', false],
    ['target/app-1.0-tests.jar', false],
    ['target/original-app-1.0.jar', false],
    ['target/app.war', false],
  ])('%s runnable: %s', (f, want) => expect(isRunnableJar(f)).toBe(want));

  it('takes the one runnable jar among the by-products', () => {
    expect(chooseArtifact(['/w/target/original-app.jar', '/w/target/app.jar', '/w/target/app-sources.jar'], false, 'target/*.jar')).toBe('/w/target/app.jar');
  });

  it('lists the candidates when several are left', () => {
    expect(() => chooseArtifact(['/w/a/target/a.jar', '/w/b/target/b.jar'], false, 'x')).toThrow(
      "Input 'artifact': 2 jars match in x: /w/a/target/a.jar, /w/b/target/b.jar; set `artifact` to a glob that picks one",
    );
  });

  it('says when there is none', () => {
    expect(() => chooseArtifact(['/w/target/original-a.jar'], false, 'target/*.jar')).toThrow('the build produced no runnable jar in target/*.jar (only /w/target/original-a.jar)');
    expect(() => chooseArtifact([], true, 'svc')).toThrow("Input 'artifact': no file matches it in svc");
  });

  it('trusts an explicit glob', () => {
    expect(chooseArtifact(['/w/target/original-a.jar'], true, 'w')).toBe('/w/target/original-a.jar');
    expect(() => chooseArtifact(['/w/target/a-plain.jar', '/w/target/b-plain.jar'], true, 'w')).toThrow("Input 'artifact': 2 jars match in w");
  });

  it('drops the by-products from several matches of an explicit glob', () => {
    expect(chooseArtifact(['/w/app/target/original-app.jar', '/w/app/target/app.jar'], true, 'w')).toBe('/w/app/target/app.jar');
  });
});
