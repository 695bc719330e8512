import { strToU8, zipSync, type Zippable } from 'fflate';

const pom = (g: string, a: string, v: string): Uint8Array => strToU8(`#Created by Apache Maven 3.9.9\nartifactId=${a}\ngroupId=${g}\nversion=${v}\n`);

/** A library jar as Maven Central ships it: classes plus its pom.properties (Gradle-built ones, like Spring's, have none). */
export function libraryJar(g: string, a: string, v: string, withPom = true): Uint8Array {
  const files: Zippable = {
    'META-INF/MANIFEST.MF': strToU8(`Manifest-Version: 1.0\nImplementation-Title: ${a}\nImplementation-Version: ${v}\n`),
    [`${a.replace(/-/g, '/')}/Some.class`]: new Uint8Array([0xca, 0xfe, 0xba, 0xbe]),
  };
  if (withPom) files[`META-INF/maven/${g}/${a}/pom.properties`] = pom(g, a, v);
  return zipSync(files);
}

export const BOOT_LIBS: [string, string, string][] = [
  ['org.springframework', 'spring-core', '6.2.12'],
  ['org.springframework', 'spring-web', '6.2.12'],
  ['org.apache.tomcat.embed', 'tomcat-embed-core', '10.1.48'],
];

/** A Spring Boot fat jar: BOOT-INF/lib with classpath.idx, the jarmode tools off the class path, and a CycloneDX SBOM. */
export function springBootJar(): Uint8Array {
  const files: Zippable = {
    'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.launch.JarLauncher\nStart-Class: com.acme.demo.DemoApplication\n'),
    'META-INF/maven/com.acme/demo/pom.properties': pom('com.acme', 'demo', '0.0.1-SNAPSHOT'),
    'BOOT-INF/classes/com/acme/demo/DemoApplication.class': new Uint8Array([0xca, 0xfe]),
  };
  const idx: string[] = [];
  for (const [g, a, v] of BOOT_LIBS) {
    files[`BOOT-INF/lib/${a}-${v}.jar`] = [libraryJar(g, a, v, a !== 'spring-web'), { level: 0 }];
    idx.push(`- "BOOT-INF/lib/${a}-${v}.jar"`);
  }
  files['BOOT-INF/lib/spring-boot-jarmode-tools-3.5.16.jar'] = [libraryJar('org.springframework.boot', 'spring-boot-jarmode-tools', '3.5.16'), { level: 0 }];
  files['BOOT-INF/classpath.idx'] = strToU8(`${idx.join('\n')}\n`);
  files['META-INF/sbom/application.cdx.json'] = strToU8(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      metadata: { component: { group: 'com.acme', name: 'demo', version: '0.0.1-SNAPSHOT', purl: 'pkg:maven/com.acme/demo@0.0.1-SNAPSHOT' } },
      components: [
        { group: 'org.springframework', name: 'spring-core', version: '6.2.12', purl: 'pkg:maven/org.springframework/spring-core@6.2.12?type=jar', licenses: [{ license: { id: 'Apache-2.0' } }] },
        { group: 'org.springframework', name: 'spring-web', version: '6.2.12', purl: 'pkg:maven/org.springframework/spring-web@6.2.12?type=jar' },
        { group: 'io.micrometer', name: 'micrometer-commons', version: '1.15.5', purl: 'pkg:maven/io.micrometer/micrometer-commons@1.15.5?type=jar' },
        { name: 'node-thing', version: '1', purl: 'pkg:npm/node-thing@1' },
      ],
    }),
  );
  return zipSync(files);
}

/** A jar the shade plugin made: the app's classes and those of two artifacts, with every pom.properties kept. */
export function shadedJar(): Uint8Array {
  return zipSync({
    'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\nMain-Class: com.acme.tool.Main\n'),
    'META-INF/maven/com.acme/tool/pom.properties': pom('com.acme', 'tool', '2.1.0'),
    'META-INF/maven/com.google.guava/guava/pom.properties': pom('com.google.guava', 'guava', '33.4.0-jre'),
    'META-INF/maven/info.picocli/picocli/pom.properties': pom('info.picocli', 'picocli', '4.7.6'),
    'com/acme/tool/Main.class': new Uint8Array([0xca, 0xfe]),
  });
}

/** A jar with nothing but its own classes and coordinates. */
export function plainJar(): Uint8Array {
  return zipSync({
    'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\nImplementation-Title: hello\nImplementation-Version: 1.0\n'),
    'META-INF/maven/com.acme/hello/pom.properties': pom('com.acme', 'hello', '1.0'),
    'com/acme/Hello.class': new Uint8Array([0xca, 0xfe]),
  });
}
