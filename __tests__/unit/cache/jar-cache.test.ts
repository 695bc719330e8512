/** The jar cache key names what is built: the work tree's content, the environment, the command, the JDK and the build tool. */
import { describe, expect, it, test } from 'vitest';
import { artifactKey, type ArtifactInputs } from '../../../src/cache/artifact.js';
import { gitBlobId, parseIndex, treeDigest, type IndexEntry, type WorktreeFile } from '../../../src/cache/source.js';
import { distributionUrl, toolVersionLine } from '../../../src/java/toolchain.js';

const P = { os: 'linux', arch: 'x64' };
const MAIN = 'src/main/java/com/acme/hello/Main.java';
const index: IndexEntry[] = [
  { path: 'pom.xml', mode: '100644', id: gitBlobId('<project>1.0.0</project>\n') },
  { path: MAIN, mode: '100644', id: gitBlobId('class Main { String s = "hello docker"; }\n') },
  { path: 'mvnw', mode: '100755', id: gitBlobId('#!/bin/sh\n') },
];
const tree = treeDigest(index, []);
const base: ArtifactInputs = {
  tree,
  environment: 'e'.repeat(64),
  command: ['mvn', '--batch-mode', '--no-transfer-progress', '-DskipTests', 'package'],
  workingDirectory: '',
  java: 'release:JAVA_VERSION="17.0.15"',
  tool: 'Apache Maven 3.8.7',
};
const key = (a: Partial<ArtifactInputs>): string => artifactKey(P, { ...base, ...a }).key;
const edit = (changed: WorktreeFile[]): string => treeDigest(index, changed);

describe('the jar cache key', () => {
  it('has no restore keys, the platform in its name, and no commit in it', () => {
    const k = artifactKey(P, base);
    expect(k.restoreKeys).toEqual([]);
    expect(k.key).toMatch(/^image-publish-jar-linux-x64-[0-9a-f]{40}$/);
  });

  test.each([
    ['the same tree, command, JDK and tool', {}, true],
    ['the same tree listed in another order', { tree: treeDigest([...index].reverse(), []) }, true],
    // a file git lists as modified whose bytes are those of the index (a touched file) is the same content
    ['a touched but unchanged file', { tree: edit([{ path: MAIN, mode: '100644', id: index[1].id }]) }, true],
    ['an uncommitted edit of Main.java', { tree: edit([{ path: MAIN, mode: '100644', id: gitBlobId('class Main { String s = "hello, docker"; }\n') }]) }, false],
    ['mvn versions:set before the step (pom.xml changed in the workspace)', { tree: edit([{ path: 'pom.xml', mode: '100644', id: gitBlobId('<project>1.0.1</project>\n') }]) }, false],
    ['another ref checked out (another index)', { tree: treeDigest([index[0], { ...index[1], id: gitBlobId('other') }, index[2]], []) }, false],
    ['an untracked, not ignored file (a build-info file)', { tree: edit([{ path: 'src/main/resources/build-info.properties', mode: '100644', id: gitBlobId('x=1\n') }]) }, false],
    ['a deleted tracked file', { tree: edit([{ path: 'mvnw' }]) }, false],
    ['a lost executable bit', { tree: edit([{ path: 'mvnw', mode: '100644', id: index[2].id }]) }, false],
    ['an ignored file a step wrote (git ignores it; the build packs it)', { tree: edit([{ path: 'src/main/resources/static/app.js', mode: '100644', id: gitBlobId('v2\n') }]) }, false],
    ['another environment (MAVEN_OPTS=-Drevision=1.0.1)', { environment: 'f'.repeat(64) }, false],
    ['another build command', { command: [...base.command, '-Pnative'] }, false],
    ['another working directory', { workingDirectory: 'service' }, false],
    ['another JDK', { java: 'release:JAVA_VERSION="21.0.5"' }, false],
    ['another build tool', { tool: 'Apache Maven 3.9.9' }, false],
    // the parts are length-prefixed: moving text from one part to the next is another key
    ['the same text split differently', { java: 'release:JAVA_VERSION="17.0.15"Apache', tool: ' Maven 3.8.7' }, false],
  ] as Array<[string, Partial<ArtifactInputs>, boolean]>)('%s: %s', (_name, change, same) => {
    expect(key(change) === key({})).toBe(same);
  });
});

describe('hashing the work tree', () => {
  it('gives a blob the id git gives it', () => {
    // `printf 'hello\n' | git hash-object --stdin` and the empty blob
    expect(gitBlobId('hello\n')).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobId('')).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it('reads git ls-files -s -z, names with tabs and newlines included', () => {
    const out = ['100644 ce013625030ba8dba906f756967f9e9ca394464a 0\tpom.xml', '100755 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 0\ta\tb\nc', ''].join('\0');
    expect(parseIndex(out)).toEqual([
      { mode: '100644', id: 'ce013625030ba8dba906f756967f9e9ca394464a', path: 'pom.xml' },
      { mode: '100755', id: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', path: 'a\tb\nc' },
    ]);
    expect(() => parseIndex('garbage\0')).toThrow(/unexpected line/);
  });
});

describe('the toolchain versions', () => {
  test.each([
    ['distributionUrl=https\\://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.6/apache-maven-3.9.6-bin.zip\n', 'https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.6/apache-maven-3.9.6-bin.zip'],
    ['#x\ndistributionBase=GRADLE_USER_HOME\ndistributionUrl=https\\://services.gradle.org/distributions/gradle-8.5-bin.zip\n', 'https://services.gradle.org/distributions/gradle-8.5-bin.zip'],
    ['wrapperVersion=3.3.2\n', undefined],
  ])('distributionUrl of %j', (props, url) => expect(distributionUrl(props)).toBe(url));

  test.each([
    ['\u001b[1mApache Maven 3.8.7\u001b[m\nMaven home: /usr/share/maven\nJava version: 17.0.15', 'Apache Maven 3.8.7'],
    ['\n------------------------------------------------------------\nGradle 4.4.1\n------------------------------------------------------------\n\nBuild time:   2012-12-21 00:00:00 UTC', 'Gradle 4.4.1'],
    ['something else', undefined],
  ])('the version line of %j', (out, line) => expect(toolVersionLine(out)).toBe(line));
});
