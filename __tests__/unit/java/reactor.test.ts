import { describe, expect, it } from 'vitest';
import { javaCommand } from '../../../src/java/command.js';
import { choosesProjects, findReactor, pomModules, reactorPoms, usesTestJar } from '../../../src/java/reactor.js';

const aggregator = (...modules: string[]): string => `<project><packaging>pom</packaging><modules>${modules.map((m) => `<module>${m}</module>`).join('')}</modules></project>`;
const leaf = '<project><parent><artifactId>p</artifactId></parent><artifactId>x</artifactId></project>';

describe('pomModules', () => {
  it.each([
    [aggregator('lib', 'app'), ['lib', 'app']],
    ['<modules>\n  <module> app/ </module>\n  <!-- <module>old</module> -->\n</modules>', ['app/']],
    ['<modules><module></module></modules>', []],
    [leaf, []],
  ])('%s', (pom, want) => {
    expect(pomModules(pom)).toEqual(want);
  });
});

describe('findReactor', () => {
  const ws = '/ws';
  it.each([
    ['a module of the root reactor', { '/ws': aggregator('lib', 'app'), '/ws/app': leaf }, '/ws/app', { root: '/ws', module: 'app' }],
    ['a module listed with a trailing slash', { '/ws': aggregator('app/'), '/ws/app': leaf }, '/ws/app', { root: '/ws', module: 'app' }],
    ['nested reactors: the outermost root', { '/ws': aggregator('services'), '/ws/services': aggregator('app'), '/ws/services/app': leaf }, '/ws/services/app', { root: '/ws', module: 'services/app' }],
    ['a module listed by a path through a folder without a pom', { '/ws': aggregator('modules/app'), '/ws/modules/app': leaf }, '/ws/modules/app', { root: '/ws', module: 'modules/app' }],
    ['the root itself', { '/ws': aggregator('app') }, '/ws', undefined],
    ['a project whose parent directory does not list it', { '/ws': aggregator('lib'), '/ws/app': leaf }, '/ws/app', undefined],
    ['a single project in a sub-folder', { '/ws/service': leaf }, '/ws/service', undefined],
    ['a reactor stops where a pom does not list the next folder', { '/ws': aggregator('other'), '/ws/svc': aggregator('app'), '/ws/svc/app': leaf }, '/ws/svc/app', { root: '/ws/svc', module: 'app' }],
  ] as const)('%s', (_, poms, dir, want) => {
    const read = (d: string): string | undefined => (poms as Record<string, string>)[d];
    expect(findReactor(dir, ws, read)).toEqual(want);
  });

  it('never looks above the workspace', () => {
    const poms: Record<string, string> = { '/': aggregator('ws'), '/ws': leaf };
    expect(findReactor('/ws', '/ws', (d) => poms[d])).toBeUndefined();
  });
});

describe('choosesProjects', () => {
  it.each([
    [[], false],
    [['-Pprod', '-DskipTests=false'], false],
    [['-pl', 'app'], true],
    [['--projects=app'], true],
    [['-f', 'app/pom.xml'], true],
    [['--file=app/pom.xml'], true],
    [['-fae', '-ff', '-fn'], false],
    [['-rf', ':app'], true],
  ])('%j', (args, want) => {
    expect(choosesProjects(args)).toBe(want);
  });
});

describe('javaCommand for a module of a reactor', () => {
  it('builds the module and what it needs from the root', () => {
    const cmd = javaCommand({ tool: 'maven' }, ['-Pprod'], true, {}, { root: '/ws', module: 'services/app' });
    expect(cmd.args).toEqual(['--batch-mode', '--no-transfer-progress', '-DskipTests', '--projects', 'services/app', '--also-make', 'package', '-Pprod']);
    expect(cmd.cwd).toBe('/ws');
    expect(cmd.jarPatterns).toEqual(['target/*.jar', '*/target/*.jar']);
  });

  it('runs in working-directory otherwise', () => {
    expect(javaCommand({ tool: 'maven' }, [], true).cwd).toBeUndefined();
  });
});

describe('test-jar detection', () => {
  it.each([
    ['<goals><goal>test-jar</goal></goals>', true],
    ['<dependency><artifactId>lib</artifactId><type>test-jar</type><scope>test</scope></dependency>', true],
    ['<dependency><artifactId>lib</artifactId><classifier>tests</classifier></dependency>', true],
    ['<goals>\n  <goal> test-jar </goal>\n</goals>', true],
    ['<!-- <goal>test-jar</goal> -->', false],
    ['<goal>jar</goal><type>pom</type><classifier>sources</classifier>', false],
  ])('%s: %s', (pom, want) => expect(usesTestJar(pom)).toBe(want));

  it('walks the reactor: its modules, theirs, each once', () => {
    const poms: Record<string, string> = {
      '/r': '<modules><module>a</module><module>b</module></modules>',
      '/r/a': '<modules><module>../b</module><module>c</module></modules>',
      '/r/b': 'b',
      '/r/a/c': 'c',
    };
    expect(reactorPoms('/r', (d) => poms[d])).toEqual([poms['/r'], poms['/r/a'], poms['/r/b'], poms['/r/a/c']]);
    expect(reactorPoms('/nothing', (d) => poms[d])).toEqual([]);
  });
});
