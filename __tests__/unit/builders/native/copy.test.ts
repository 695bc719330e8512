import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { readModel } from '../../../../src/dockerfile/model.js';
import { bootJar } from '../../../support/boot-jar.ts';
import { describe, expect, it } from 'vitest';
import { copyEntries, mkdirEntries, type ContextFile, type DirOwners } from '../../../../src/builders/native/copy.js';
import { planBuild } from '../../../../src/builders/native/plan.js';
import { readDockerfile } from '../../../../src/dockerfile/reader.js';
import { classify, classPathJar, LIBRARY_MTIME, libraryDir, parseLayersIndex, parseManifest, splitBootJar, writeManifest } from '../../../../src/builders/native/springboot.js';

const f = (path: string, mode = 0o644): ContextFile => ({ path, type: 'file', mode, size: 1 });
const d = (path: string, mode = 0o755): ContextFile => ({ path, type: 'dir', mode, size: 0 });
const context = [f('target/app.jar'), f('target/other.txt'), d('conf'), f('conf/a.yml', 0o600), d('conf/sub', 0o700), f('conf/sub/b.yml'), f('run.sh', 0o755)];

function copy(sources: string[], dest: string, extra: { chown?: { uid: number; gid: number }; chmod?: number } = {}, dirs: DirOwners = new Map()): string[] {
  return copyEntries({ kind: 'copy', sources, dest, line: 3, ...extra }, context, dirs, 7)
    .map((e) => `${e.type === 'dir' ? 'd' : e.type === 'file' ? 'f' : 'l'} /${e.path} ${e.mode.toString(8)} ${e.uid}:${e.gid}${e.source ? ` <${e.source}` : ''}`)
    .sort();
}

describe('COPY semantics', () => {
  it.each<[string, string[], string, object, string[]]>([
    ['a file to a file name', ['target/app.jar'], '/app.jar', {}, ['f /app.jar 644 0:0 <target/app.jar']],
    ['a glob to a file name', ['target/*.jar'], '/app/app.jar', {}, ['d /app 755 0:0', 'f /app/app.jar 644 0:0 <target/app.jar']],
    ['a file into a folder (trailing slash)', ['./target/app.jar'], '/opt/svc/', {}, ['d /opt 755 0:0', 'd /opt/svc 755 0:0', 'f /opt/svc/app.jar 644 0:0 <target/app.jar']],
    ['a folder: its contents, modes kept', ['conf'], '/etc/app', {}, ['d /etc 755 0:0', 'd /etc/app 755 0:0', 'd /etc/app/sub 700 0:0', 'f /etc/app/a.yml 600 0:0 <conf/a.yml', 'f /etc/app/sub/b.yml 644 0:0 <conf/sub/b.yml']],
    ['--chown and --chmod', ['run.sh'], '/bin2/', { chown: { uid: 1000, gid: 1000 }, chmod: 0o500 }, ['d /bin2 755 1000:1000', 'f /bin2/run.sh 500 1000:1000 <run.sh']],
    ['several sources into a folder', ['run.sh', 'target/other.txt'], '/x/', {}, ['d /x 755 0:0', 'f /x/other.txt 644 0:0 <target/other.txt', 'f /x/run.sh 755 0:0 <run.sh']],
  ])('%s', (_, sources, dest, extra, want) => expect(copy(sources, dest, extra)).toEqual(want));

  it('copies into a folder an earlier step made, even without a slash, keeping its owner', () => {
    const dirs: DirOwners = new Map();
    mkdirEntries({ kind: 'mkdir', path: '/app', uid: 5, gid: 6 }, dirs, 7);
    expect(copy(['run.sh'], '/app', {}, dirs)).toEqual(['d /app 755 5:6', 'f /app/run.sh 755 0:0 <run.sh']);
  });

  it.each([
    [['nothing.jar'], '/x', /"nothing.jar" matches no file/],
    [['run.sh', 'conf/a.yml'], '/x', /must be a folder ending in \//],
  ])('refuses %j -> %s', (sources, dest, err) => expect(() => copy(sources, dest)).toThrow(err));
});


describe('Spring Boot layers', () => {
  it('reads layers.idx and classifies entries by prefix or name', () => {
    const layers = parseLayersIndex('- "dependencies":\n  - "BOOT-INF/lib/a.jar"\n- "application":\n  - "BOOT-INF/classes/"\n  - "META-INF/"\n');
    expect(layers).toEqual([{ name: 'dependencies', entries: ['BOOT-INF/lib/a.jar'] }, { name: 'application', entries: ['BOOT-INF/classes/', 'META-INF/'] }]);
    expect.soft(classify(layers, 'BOOT-INF/lib/a.jar')).toBe('dependencies');
    expect.soft(classify(layers, 'BOOT-INF/classes/x/Y.class')).toBe('application');
    expect.soft(classify(layers, 'BOOT-INF/lib/b.jar')).toBeUndefined();
  });

  it('wraps manifest lines at 72 bytes and reads them back', () => {
    const long = Array.from({ length: 20 }, (_, i) => `lib/dependency-number-${i}.jar`).join(' ');
    const text = writeManifest(new Map([['Class-Path', long]]));
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(72);
    expect(parseManifest(text).get('Class-Path')).toBe(long);
  });

  it.each([
    ['/app/app.jar', '/app/lib'],
    ['/app.jar', '/app-lib'],
  ])('libraries of %s go to %s', (jar, dir) => expect(libraryDir(jar)).toBe(dir));

  it('splits a layered jar into its layers in order, with a thin jar that names lib/', () => {
    const layers = splitBootJar(bootJar(), { path: '/app/app.jar', mode: 0o644, uid: 0, gid: 0, mtime: 1700000000 })!;
    expect(layers.map((l) => [l.name, l.entries.map((e) => e.path)])).toEqual([
      ['dependencies', ['app/lib/spring-core-6.jar', 'app/lib/jackson-2.jar']],
      ['snapshot-dependencies', ['app/lib/mylib-1.0-SNAPSHOT.jar', 'app/lib/app-classpath.jar']],
      ['application', ['app/app.jar']],
    ]);
    // the libraries' class path, in a jar beside them (the layer of the last library)
    const cp = unzipSync(layers[1].entries[1].data!);
    expect(Object.keys(cp)).toEqual(['META-INF/', 'META-INF/MANIFEST.MF']);
    expect(parseManifest(strFromU8(cp['META-INF/MANIFEST.MF'])).get('Class-Path')).toBe('spring-core-6.jar jackson-2.jar mylib-1.0-SNAPSHOT.jar');
    const thin = unzipSync(layers[2].entries[0].data!);
    expect(Object.keys(thin)).toEqual(['META-INF/', 'META-INF/MANIFEST.MF', 'application.properties', 'com/', 'com/example/', 'com/example/demo/', 'com/example/demo/DemoApplication.class']);
    const mf = parseManifest(strFromU8(thin['META-INF/MANIFEST.MF']));
    expect(mf.get('Main-Class')).toBe('com.example.demo.DemoApplication');
    expect(mf.get('Class-Path')).toBe('lib/app-classpath.jar');
    expect([...mf.keys()].filter((k) => k.startsWith('Spring-Boot') || k === 'Start-Class')).toEqual([]);
    // the same jar gives the same thin jar, byte for byte
    const again = splitBootJar(bootJar(), { path: '/app/app.jar', mode: 0o644, uid: 0, gid: 0, mtime: 1700000000 })!;
    expect(Buffer.from(again[2].entries[0].data!).equals(Buffer.from(layers[2].entries[0].data!))).toBe(true);
  });

  it('stamps the library layers with one fixed time, so a new commit changes only the application layer', () => {
    const df = readDockerfile(readModel('FROM a\nWORKDIR /app\nARG JAR_FILE=target/*.jar\nCOPY ${JAR_FILE} app.jar\n'), new Map());
    const at = (mtime: number) => planBuild(df, [f('target/app.jar')], () => bootJar(), { layers: 'auto', mtime }).layers;
    const [before, after] = [at(1700000000), at(1700086400)];
    // dependencies and snapshot-dependencies: the same entries whatever the commit time
    for (const i of [1, 2]) {
      expect(after[i].entries).toEqual(before[i].entries);
      expect(new Set(after[i].entries.map((e) => e.mtime))).toEqual(new Set([LIBRARY_MTIME]));
    }
    // the application layer: the thin jar has the commit time
    expect(after[3].entries.find((e) => e.path === 'app/app.jar')?.mtime).toBe(1700086400);
  });

  it('a class-path jar depends on the libraries only, and gives way to a library of its name', () => {
    const a = classPathJar(['a.jar', 'b.jar'], 'app')!;
    expect(a.name).toBe('app-classpath.jar');
    expect(Buffer.from(classPathJar(['a.jar', 'b.jar'], 'app')!.data).equals(Buffer.from(a.data))).toBe(true);
    expect(Buffer.from(classPathJar(['a.jar', 'c.jar'], 'app')!.data).equals(Buffer.from(a.data))).toBe(false);
    expect(classPathJar(['app-classpath.jar'], 'app')).toBeUndefined();
    expect(classPathJar([], 'app')).toBeUndefined();
  });

  it('leaves a jar without a layers index alone', () => {
    expect(splitBootJar(zipSync({ 'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\r\nMain-Class: a.B\r\n\r\n') }), { path: '/a.jar', mode: 0o644, uid: 0, gid: 0, mtime: 0 })).toBeUndefined();
  });

  it.each([
    ['auto', 3],
    ['single', 1],
  ] as const)('layers: %s gives %i layers for the tutorial Dockerfile', (mode, count) => {
    const df = readDockerfile(readModel('FROM a\nWORKDIR /app\nARG JAR_FILE=target/*.jar\nCOPY ${JAR_FILE} app.jar\nENTRYPOINT ["java","-jar","app.jar"]\n'), new Map());
    const plan = planBuild(df, [f('target/app.jar')], () => bootJar(), { layers: mode, mtime: 1700000000 });
    expect(plan.layers).toHaveLength(1 + count); // WORKDIR's folder, then the jar's
    expect(plan.steps.filter((s) => s.layer)).toHaveLength(1 + count);
    if (mode === 'auto') expect(plan.layers[1].entries.map((e) => e.path).sort()).toEqual(['app', 'app/lib', 'app/lib/jackson-2.jar', 'app/lib/spring-core-6.jar']);
  });
});
