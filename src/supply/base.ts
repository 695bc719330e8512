/** What an image config says about the JDK/JRE and the OS it carries: env and labels only, no layer is read. */
export interface RuntimeFacts {
  java?: { name: string; version?: string; source: string };
  os?: { name: string; version?: string; source: string };
}

/** The base image as the SBOM names it. */
export interface BaseImage {
  /** As the builder resolved it (see ResolvedBase): `127.0.0.1:5000/base/jre:17`. */
  ref: string;
  /** The manifest (or index) digest the builder built on. */
  digest?: string;
  runtime: RuntimeFacts;
}

interface ImageConfig {
  os?: string;
  config?: { Env?: string[] | null; Labels?: Record<string, string> | null };
}

function env(cfg: ImageConfig): Map<string, string> {
  return new Map((cfg.config?.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]));
}

/**
 * The JDK/JRE and the OS as the config tells them: JAVA_VERSION (Temurin and most official images), else the
 * version in a JAVA_HOME such as /usr/lib/jvm/java-17-openjdk-amd64; the OS from the org.opencontainers.image
 * ref.name/version labels the Ubuntu and Debian bases set, else the config's `os`. Pure.
 */
export function runtimeFacts(configJson: string): RuntimeFacts {
  let cfg: ImageConfig;
  try {
    cfg = JSON.parse(configJson) as ImageConfig;
  } catch {
    return {};
  }
  const e = env(cfg);
  const labels = cfg.config?.Labels ?? {};
  const facts: RuntimeFacts = {};
  const javaHome = e.get('JAVA_HOME');
  if (e.get('JAVA_VERSION')) {
    const vendor = /temurin|adoptium/i.test(javaHome ?? '') || /^jdk-/.test(e.get('JAVA_VERSION')!) ? 'eclipse-temurin' : 'java';
    facts.java = { name: vendor, version: e.get('JAVA_VERSION'), source: 'env JAVA_VERSION' };
  } else if (javaHome) {
    const m = /java-(\d+(?:\.\d+)*)-([a-z]+)/.exec(javaHome) ?? /(?:jdk|jre)-?(\d+(?:\.\d+)*)/.exec(javaHome);
    facts.java = { name: m?.[2] ?? 'java', version: m?.[1], source: 'env JAVA_HOME' };
  }
  const osName = labels['org.opencontainers.image.ref.name'];
  if (osName && /^(ubuntu|debian|alpine|centos|rhel|ubi\d*|amazonlinux|fedora|rockylinux|almalinux)$/i.test(osName)) {
    facts.os = { name: osName, version: labels['org.opencontainers.image.version'], source: 'labels org.opencontainers.image.ref.name/version' };
  } else if (cfg.os) {
    facts.os = { name: cfg.os, source: 'config os' };
  }
  return facts;
}
