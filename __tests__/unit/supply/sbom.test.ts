import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { runtimeFacts } from '../../../src/supply/base.js';
import { classPathIndex, fromFileName, readJar } from '../../../src/supply/jar.js';
import { mavenPurl, spdxDocument, type SbomFacts } from '../../../src/supply/spdx.js';
import { BOOT_LIBS, plainJar, shadedJar, springBootJar } from './jars.js';

const hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const coords = (libs: { group?: string; artifact: string; version?: string }[]): string[] => libs.map((l) => `${l.group ?? ''}:${l.artifact}:${l.version ?? ''}`);

describe('readJar', () => {
  it('reads a Spring Boot jar: every nested jar by its pom, with its hash, classpath.idx and the CycloneDX SBOM', () => {
    const bytes = springBootJar();
    const jar = readJar(bytes, 'demo-0.0.1-SNAPSHOT.jar');
    expect(jar.layout).toBe('spring-boot');
    expect(jar.app).toMatchObject({ group: 'com.acme', artifact: 'demo', version: '0.0.1-SNAPSHOT', sha256: hex(bytes) });
    expect(jar.cyclonedx).toBe('META-INF/sbom/application.cdx.json');
    expect(coords(jar.libraries)).toEqual([
      'io.micrometer:micrometer-commons:1.15.5',
      'org.apache.tomcat.embed:tomcat-embed-core:10.1.48',
      'org.springframework.boot:spring-boot-jarmode-tools:3.5.16',
      'org.springframework:spring-core:6.2.12',
      'org.springframework:spring-web:6.2.12',
    ]);
    const files = unzipSync(bytes);
    for (const [, a, v] of BOOT_LIBS) {
      const lib = jar.libraries.find((l) => l.artifact === a)!;
      expect(lib.sha256).toBe(hex(files[`BOOT-INF/lib/${a}-${v}.jar`]));
      expect(lib.onClassPath).toBe(true);
    }
    expect(jar.libraries.find((l) => l.artifact === 'spring-boot-jarmode-tools')!.onClassPath).toBe(false);
    expect(jar.libraries.find((l) => l.artifact === 'spring-core')!.licenses).toEqual(['Apache-2.0']);
    // spring-web's jar has no pom.properties: artifact and version from its file name, the group from the CycloneDX SBOM
    expect(jar.libraries.find((l) => l.artifact === 'spring-web')).toMatchObject({ group: 'org.springframework', version: '6.2.12', source: 'jar' });
    expect(jar.libraries.find((l) => l.artifact === 'micrometer-commons')).toMatchObject({ source: 'cyclonedx' });
    expect(jar.libraries.find((l) => l.artifact === 'micrometer-commons')!.sha256).toBeUndefined();
  });

  it('reads a shaded jar: the app by its file name, the included artifacts by their pom.properties', () => {
    const jar = readJar(shadedJar(), 'target/tool-2.1.0.jar');
    expect(jar.layout).toBe('shaded');
    expect(coords([jar.app])).toEqual(['com.acme:tool:2.1.0']);
    expect(coords(jar.libraries)).toEqual(['com.google.guava:guava:33.4.0-jre', 'info.picocli:picocli:4.7.6']);
    expect(jar.libraries.every((l) => l.sha256 === undefined)).toBe(true);
  });

  it('reads a plain jar: the app alone', () => {
    const jar = readJar(plainJar(), 'app.jar');
    expect(jar.layout).toBe('plain');
    expect(coords([jar.app])).toEqual(['com.acme:hello:1.0']);
    expect(jar.libraries).toEqual([]);
  });

  it.each([
    ['BOOT-INF/lib/spring-core-6.2.12.jar', { artifact: 'spring-core', version: '6.2.12' }],
    ['lib/jakarta.annotation-api-2.1.1.jar', { artifact: 'jakarta.annotation-api', version: '2.1.1' }],
    ['x/tool.jar', { artifact: 'tool' }],
  ])('fromFileName(%s)', (f, want) => expect(fromFileName(f)).toEqual(want));

  it('classpath.idx', () => expect(classPathIndex('- "BOOT-INF/lib/a.jar"\n- "BOOT-INF/lib/b.jar"\n')).toEqual(['BOOT-INF/lib/a.jar', 'BOOT-INF/lib/b.jar']));
});

describe('the base image', () => {
  it.each([
    [{ os: 'linux', config: { Env: ['JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64'] } }, { java: { name: 'openjdk', version: '17', source: 'env JAVA_HOME' }, os: { name: 'linux', source: 'config os' } }],
    [
      { os: 'linux', config: { Env: ['JAVA_HOME=/opt/java/openjdk', 'JAVA_VERSION=jdk-21.0.5+11'], Labels: { 'org.opencontainers.image.ref.name': 'ubuntu', 'org.opencontainers.image.version': '24.04' } } },
      {
        java: { name: 'eclipse-temurin', version: 'jdk-21.0.5+11', source: 'env JAVA_VERSION' },
        os: { name: 'ubuntu', version: '24.04', source: 'labels org.opencontainers.image.ref.name/version' },
      },
    ],
    [{ config: { Env: null, Labels: null } }, {}],
  ])('runtime facts of %j', (cfg, want) => expect(runtimeFacts(JSON.stringify(cfg))).toEqual(want));
});

const facts = (over: Partial<SbomFacts> = {}): SbomFacts => ({
  image: '127.0.0.1:5000/acme/demo',
  jar: readJar(springBootJar(), 'demo-0.0.1-SNAPSHOT.jar'),
  base: { ref: '127.0.0.1:5000/base/jre:17', digest: `sha256:${'a'.repeat(64)}`, runtime: runtimeFacts(JSON.stringify({ os: 'linux', config: { Env: ['JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64'] } })) },
  created: new Date('2026-11-01T12:00:00.123Z'),
  tool: 'Tool: image-publish-v1',
  namespaceBase: 'https://github.com/acme/image-publish/spdx',
  ...over,
});

describe('spdxDocument', () => {
  it('describes image, app, libraries with purl and hash, base by digest, JDK and OS', () => {
    const doc = spdxDocument(facts());
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(doc.creationInfo.created).toBe('2026-11-01T12:00:00Z');
    const byName = new Map(doc.packages.map((p) => [p.name, p]));
    const core = byName.get('org.springframework:spring-core')!;
    expect(core.versionInfo).toBe('6.2.12');
    expect(core.externalRefs?.[0].referenceLocator).toBe('pkg:maven/org.springframework/spring-core@6.2.12');
    expect(core.checksums?.[0].checksumValue).toMatch(/^[0-9a-f]{64}$/);
    expect(core.licenseDeclared).toBe('Apache-2.0');
    expect(byName.get('127.0.0.1:5000/base/jre')).toMatchObject({ versionInfo: '17', checksums: [{ algorithm: 'SHA256', checksumValue: 'a'.repeat(64) }] });
    expect(byName.get('openjdk')).toMatchObject({ versionInfo: '17', primaryPackagePurpose: 'FRAMEWORK' });
    expect(byName.get('linux')).toMatchObject({ primaryPackagePurpose: 'OPERATING-SYSTEM' });
    expect(doc.packages).toHaveLength(1 + 1 + 5 + 3);
    expect(doc.relationships).toContainEqual({ spdxElementId: 'SPDXRef-Image', relationshipType: 'DESCENDANT_OF', relatedSpdxElement: 'SPDXRef-BaseImage' });
    expect(doc.relationships.filter((r) => r.spdxElementId === 'SPDXRef-Application').map((r) => r.relationshipType).sort()).toEqual(['CONTAINS', 'CONTAINS', 'CONTAINS', 'CONTAINS', 'DEPENDS_ON']);
    const ids = doc.packages.map((p) => p.SPDXID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    for (const r of doc.relationships) expect([...ids, 'SPDXRef-DOCUMENT']).toContain(r.relatedSpdxElement);
  });

  it('is the same bytes for the same facts, and its namespace follows the content', () => {
    expect(JSON.stringify(spdxDocument(facts()))).toBe(JSON.stringify(spdxDocument(facts())));
    const a = spdxDocument(facts()).documentNamespace;
    const b = spdxDocument(facts({ created: new Date('2026-11-02T00:00:00Z') })).documentNamespace;
    expect(a).toMatch(/^https:\/\/github\.com\/acme\/image-publish\/spdx\/127\.0\.0\.1-5000-acme-demo-[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('shaded and plain jars, and no base', () => {
    const shaded = spdxDocument(facts({ jar: readJar(shadedJar(), 'tool-2.1.0.jar'), base: undefined }));
    expect(shaded.packages.map((p) => p.name)).toEqual(['127.0.0.1:5000/acme/demo', 'com.acme:tool', 'com.google.guava:guava', 'info.picocli:picocli']);
    const plain = spdxDocument(facts({ jar: readJar(plainJar(), 'hello-1.0.jar'), base: undefined }));
    expect(plain.packages.map((p) => p.name)).toEqual(['127.0.0.1:5000/acme/demo', 'com.acme:hello']);
  });

  it.each([
    [{ group: 'org.x', artifact: 'a', version: '1.0' }, 'pkg:maven/org.x/a@1.0'],
    [{ group: 'org.x', artifact: 'a', version: '1.0+b' }, 'pkg:maven/org.x/a@1.0%2Bb'],
    [{ artifact: 'a', version: '1' }, undefined],
  ])('purl of %j', (l, want) => expect(mavenPurl(l)).toBe(want));
});
