import { strToU8, zipSync } from 'fflate';
import { writeManifest } from '../../src/builders/native/springboot.js';

/** A Spring Boot-shaped layered jar, built here with fflate. */
export function bootJar(): Uint8Array {
  const idx = '- "dependencies":\n  - "BOOT-INF/lib/spring-core-6.jar"\n  - "BOOT-INF/lib/jackson-2.jar"\n- "spring-boot-loader":\n  - "org/"\n- "snapshot-dependencies":\n  - "BOOT-INF/lib/mylib-1.0-SNAPSHOT.jar"\n- "application":\n  - "BOOT-INF/classes/"\n  - "BOOT-INF/classpath.idx"\n  - "BOOT-INF/layers.idx"\n  - "META-INF/"\n';
  const mf = writeManifest(
    new Map([
      ['Manifest-Version', '1.0'],
      ['Main-Class', 'org.springframework.boot.loader.launch.JarLauncher'],
      ['Start-Class', 'com.example.demo.DemoApplication'],
      ['Spring-Boot-Version', '3.5.16'],
      ['Spring-Boot-Classes', 'BOOT-INF/classes/'],
      ['Spring-Boot-Lib', 'BOOT-INF/lib/'],
      ['Spring-Boot-Classpath-Index', 'BOOT-INF/classpath.idx'],
      ['Spring-Boot-Layers-Index', 'BOOT-INF/layers.idx'],
    ]),
  );
  return zipSync({
    'META-INF/MANIFEST.MF': strToU8(mf),
    'org/springframework/boot/loader/launch/JarLauncher.class': strToU8('loader'),
    'BOOT-INF/classes/com/example/demo/DemoApplication.class': strToU8('app'),
    'BOOT-INF/classes/application.properties': strToU8('server.port=8080'),
    'BOOT-INF/lib/jackson-2.jar': strToU8('jackson'),
    'BOOT-INF/lib/spring-core-6.jar': strToU8('core'),
    'BOOT-INF/lib/mylib-1.0-SNAPSHOT.jar': strToU8('snap'),
    'BOOT-INF/classpath.idx': strToU8('- "BOOT-INF/lib/spring-core-6.jar"\n- "BOOT-INF/lib/jackson-2.jar"\n- "BOOT-INF/lib/mylib-1.0-SNAPSHOT.jar"\n'),
    'BOOT-INF/layers.idx': strToU8(idx),
  });
}
