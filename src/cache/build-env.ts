import { createHash } from 'node:crypto';

/**
 * The environment as an input of the jar: what the build tool sees of it (the allow-list of exec.ts, and the fast
 * path's additions) is part of what is built. MAVEN_OPTS='-Drevision=1.4.2', MAVEN_ARGS, JAVA_TOOL_OPTIONS,
 * GRADLE_OPTS, the locale and the time zone go into the jar cache's key, so a change to them builds anew. Left out
 * are the machine's plumbing (paths, JAVA_HOME, proxies, the Docker client's settings) and the runner's facts of this run
 * (GITHUB_*, RUNNER_*: the run id, the ref, the event), which change on every run and which a build rarely reads:
 * each of them is taken in when the work tree names it (see namesInWorkTree), as `${env.GITHUB_REF_NAME}` in a
 * pom or `System.getenv("GITHUB_SHA")` in a Gradle script does. Pure.
 */

/** Variables that say where things are, never what is built (the JDK and the build tool are named by the toolchain). */
const PLUMBING = new Set([
  'JAVA_HOME', 'MAVEN_HOME', 'M2_HOME', 'GRADLE_USER_HOME', 'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TMPDIR', 'TMP', 'TEMP', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'BUILDKIT_PROGRESS',
]);

/** Families of the same kind: the runner's JDKs, the desktop's folders, the Docker client, and the runner's facts of this run. */
const PLUMBING_PREFIXES = ['JAVA_HOME_', 'XDG_', 'DOCKER_', 'BUILDX_', 'GITHUB_', 'RUNNER_'];

/** Whether a variable is left out of the key unless the work tree names it. Pure. */
export function leftOutUnlessNamed(name: string): boolean {
  return PLUMBING.has(name) || PLUMBING_PREFIXES.some((p) => name.startsWith(p));
}

/** The names the work tree is searched for: the left-out variables the build sees. Pure. */
export function namesToLookFor(buildEnv: Readonly<Record<string, string>>): string[] {
  return Object.keys(buildEnv).filter(leftOutUnlessNamed).sort();
}

/** The environment part of the jar's key: every variable the build sees but the left-out ones the tree does not name. Pure. */
export function environmentDigest(buildEnv: Readonly<Record<string, string>>, named: ReadonlySet<string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(buildEnv).sort()) {
    if (leftOutUnlessNamed(name) && !named.has(name)) continue;
    const value = buildEnv[name];
    h.update(`${name.length}:${name}${value.length}:${value}`);
  }
  return h.digest('hex');
}
