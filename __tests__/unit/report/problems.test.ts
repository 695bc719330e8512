import { describe, expect, it } from 'vitest';
import { dockerfileProblem, javaProblems } from '../../../src/report/problems.js';

describe('javaProblems', () => {
  it('reads Maven javac errors once, with line and column', () => {
    const out = [
      '[ERROR] COMPILATION ERROR : ',
      "[ERROR] /ws/src/main/java/com/acme/hello/Main.java:[22,23] ';' expected",
      '[INFO] 1 error',
      "[ERROR] /ws/src/main/java/com/acme/hello/Main.java:[22,23] ';' expected",
      '[WARNING] /ws/src/main/java/com/acme/hello/Old.java:[3,8] [deprecation] Date in java.util has been deprecated',
    ].join('\n');
    expect(javaProblems(out)).toEqual([
      { file: '/ws/src/main/java/com/acme/hello/Main.java', line: 22, column: 23, message: "';' expected", severity: 'error' },
      { file: '/ws/src/main/java/com/acme/hello/Old.java', line: 3, column: 8, message: '[deprecation] Date in java.util has been deprecated', severity: 'warning' },
    ]);
  });

  it("reads Gradle's javac errors, even glued to the task name", () => {
    const out = ":compileJava/tmp/g/src/main/java/com/acme/hello/Main.java:1: error: ';' expected\npackage com.acme.hello\n\n/tmp/g/src/main/java/A.java:7: warning: [unchecked] unchecked call";
    expect(javaProblems(out)).toEqual([
      { file: '/tmp/g/src/main/java/com/acme/hello/Main.java', line: 1, message: "';' expected", severity: 'error' },
      { file: '/tmp/g/src/main/java/A.java', line: 7, message: '[unchecked] unchecked call', severity: 'warning' },
    ]);
  });

  it('reads Kotlin compiler errors in both formats', () => {
    expect(javaProblems('e: /p/src/App.kt: (12, 5): Unresolved reference: foo\ne: file:///p/src/B.kt:3:9 Type mismatch')).toEqual([
      { file: '/p/src/App.kt', line: 12, column: 5, message: 'Unresolved reference: foo', severity: 'error' },
      { file: '/p/src/B.kt', line: 3, column: 9, message: 'Type mismatch', severity: 'error' },
    ]);
  });

  it('reads failed tests from Surefire and Gradle', () => {
    const surefire = '[ERROR] Failures: \n[ERROR]   HelloTest.greets:15 expected: <hello> but was: <bye>\n[INFO] ';
    expect(javaProblems(surefire)).toEqual([{ file: 'HelloTest.java', line: 15, message: 'HelloTest.greets: expected: <hello> but was: <bye>', severity: 'error' }]);
    const gradle = 'com.acme.HelloTest > greets FAILED\n    org.junit.ComparisonFailure at HelloTest.java:15\n';
    expect(javaProblems(gradle)).toEqual([{ file: 'HelloTest.java', line: 15, message: 'HelloTest > greets failed', severity: 'error' }]);
  });

  it('finds nothing in a clean build', () => {
    expect(javaProblems('[INFO] BUILD SUCCESS\n')).toEqual([]);
  });
});

describe('dockerfileProblem', () => {
  it('points at the line BuildKit blames', () => {
    const out = [
      '#8 ERROR: lstat /var/lib/docker/tmp/x/target/missing.jar: no such file or directory',
      '------',
      ' > [2/2] COPY target/missing.jar app.jar:',
      '------',
      'Dockerfile:4',
      '--------------------',
      '   2 |     FROM ${BASE_IMAGE}',
      'ERROR: failed to solve: failed to compute cache key: "/target/missing.jar": not found',
    ].join('\n');
    expect(dockerfileProblem(out)).toEqual({ line: 4, message: 'failed to solve: failed to compute cache key: "/target/missing.jar": not found' });
    expect(dockerfileProblem('ERROR: failed to solve: pull access denied')).toBeUndefined();
  });
});
