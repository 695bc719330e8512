import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './runner.ts';

export interface Services {
  registry: string;
  /** HTTPS with the test CA, on a name the engine must verify (see .ci/services.sh). */
  tlsRegistry: string;
  /** Plain HTTP on IPv6 loopback: the engine refuses it unless told it is insecure. */
  v6HttpRegistry: string;
  user: string;
  password: string;
  caFile: string;
  baseImage: string;
}

/** The services .ci/services.sh started, as its env file describes them. */
export function services(): Services {
  const file = path.join(process.env.CI_STATE_DIR ?? '/tmp/image-publish-ci', 'env');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`bash .ci/services.sh start\` first.`);
  const env = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2].replace(/^['"]|['"]$/g, '')]),
  );
  return {
    registry: env.REGISTRY_HTTP,
    tlsRegistry: env.REGISTRY_TLS,
    v6HttpRegistry: env.REGISTRY_V6_HTTP,
    user: env.REGISTRY_USER,
    password: env.REGISTRY_PASSWORD,
    caFile: env.REGISTRY_CA_FILE,
    baseImage: env.BASE_IMAGE,
  };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function auth(s: Services): string {
  return `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;
}

/** The digest a registry serves for repo:tag, or undefined when it has none; `host` defaults to the HTTP registry. */
export async function registryDigest(s: Services, repo: string, tag: string, host: string = s.registry): Promise<string | undefined> {
  if (host === s.tlsRegistry) {
    const res = await httpsHead(`https://${host}/v2/${repo}/manifests/${tag}`, { authorization: auth(s), accept: MANIFEST_TYPES }, readFileSync(s.caFile));
    return res.status === 200 ? res.headers['docker-content-digest'] : undefined;
  }
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { authorization: auth(s), accept: MANIFEST_TYPES },
    signal: AbortSignal.timeout(10000),
  });
  return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
}

function httpsHead(url: string, headers: Record<string, string>, ca: Buffer): Promise<{ status: number; headers: Record<string, string | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'HEAD', headers, ca, timeout: 10000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string | undefined> });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Tags of a repository; [] when the registry has never heard of it. */
export async function registryTags(s: Services, repo: string): Promise<string[]> {
  const res = await fetch(`http://${s.registry}/v2/${repo}/tags/list`, { headers: { authorization: auth(s) }, signal: AbortSignal.timeout(10000) });
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`tags/list for ${repo}: HTTP ${res.status}`);
  const body = (await res.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}

/** Whether the engine under test (DOCKER_HOST) keeps images in the classic store, as GitHub's ubuntu-24.04 runners do. */
export function classicStore(): boolean {
  return !docker(['info', '--format', '{{json .DriverStatus}}']).includes('io.containerd.snapshotter');
}

/** The daemon.json the engine under test was started with (.ci/services.sh start-classic names its own). */
export function daemonJsonPath(): string {
  return process.env.DOCKER_DAEMON_CONFIG || '/etc/docker/daemon.json';
}

export function docker(args: string[], input?: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', input, timeout: 5 * 60 * 1000, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface Workspace {
  dir: string;
  sha: string;
  /** Environment that gives Maven and Gradle an empty home, as on a fresh runner. */
  env: Record<string, string>;
}

/** The Spring Boot app (Maven Central) and the offline shaded app (Debian's /usr/share/maven-repo). */
export const SPRING_BOOT = 'example';
export const SHADED = '__tests__/fixtures/maven-shaded';

export interface WorkspaceOptions {
  /**
   * Where Maven takes dependencies from: `central` (Maven Central, as users' runners do; the default for the
   * Spring Boot app) or `debian` (every repository mirrored to /usr/share/maven-repo, so `--offline` works;
   * the default for the other fixtures).
   */
  maven?: 'central' | 'debian';
  /**
   * Starts ~/.m2/repository as a copy of a repository warmed once per machine by the Spring Boot build, so a
   * test that is not about caches does not download Spring Boot again. Never for a test about caches.
   */
  warmMavenRepository?: boolean;
}

const DEBIAN_SETTINGS = path.join(ROOT, '__tests__/fixtures/maven-settings.xml');
const CENTRAL_SETTINGS = '<settings><!-- image-publish tests: Maven Central, as on a runner --></settings>\n';

/** Copies a project (a path from the repository root) into a fresh git repository, so that the action sees a real commit. */
export function workspace(source: string, opts: WorkspaceOptions = {}): Workspace {
  const maven = opts.maven ?? (source === SPRING_BOOT ? 'central' : 'debian');
  const top = mkdtempSync(path.join(os.tmpdir(), 'ip-ws-'));
  const dir = path.join(top, 'repo');
  cpSync(path.join(ROOT, source), dir, { recursive: true });
  const git = (...a: string[]): string => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '2026-11-01T12:00:00Z', GIT_COMMITTER_DATE: '2026-11-01T12:00:00Z' } }).trim();
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'add', '-A');
  git('-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'commit', '-q', '-m', 'fixture');
  const home = path.join(top, 'home');
  mkdirSync(path.join(home, '.m2'), { recursive: true });
  if (maven === 'debian') cpSync(DEBIAN_SETTINGS, path.join(home, '.m2/settings.xml'));
  else writeFileSync(path.join(home, '.m2/settings.xml'), CENTRAL_SETTINGS);
  if (opts.warmMavenRepository) cpSync(warmedMavenRepository(), path.join(home, '.m2/repository'), { recursive: true });
  return {
    dir,
    sha: git('rev-parse', 'HEAD'),
    env: { HOME: home, MAVEN_OPTS: `-Duser.home=${home}`, GRADLE_USER_HOME: path.join(home, '.gradle') },
  };
}

/**
 * A Maven repository holding everything the Spring Boot app's package build needs from Central, made once
 * per machine (in the OS temp directory) by building the app, then reused read-only as a template.
 */
export function warmedMavenRepository(): string {
  const repo = path.join(os.tmpdir(), 'image-publish-m2-spring-boot');
  if (existsSync(path.join(repo, '.complete'))) return repo;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ip-warm-'));
  const fresh = path.join(work, 'repository');
  cpSync(path.join(ROOT, SPRING_BOOT), path.join(work, 'app'), { recursive: true });
  writeFileSync(path.join(work, 'settings.xml'), CENTRAL_SETTINGS);
  execFileSync('mvn', ['--batch-mode', '--quiet', '--settings', path.join(work, 'settings.xml'), `-Dmaven.repo.local=${fresh}`, '-DskipTests', 'package'], {
    cwd: path.join(work, 'app'),
    stdio: 'ignore',
    timeout: 10 * 60 * 1000,
  });
  writeFileSync(path.join(fresh, '.complete'), '');
  putInPlace(fresh, repo, '.complete');
  rmSync(work, { recursive: true, force: true });
  return repo;
}

/**
 * Moves a finished `fresh` folder to `dest`, which test files running at the same time may be making too (.ci/test
 * runs two at once): the first one in place wins and the others' copies go. A `dest` without `marker` is a copy an
 * interrupted run left: it is moved aside (atomically, so a concurrent reader never sees it half-deleted), then removed.
 */
function putInPlace(fresh: string, dest: string, marker: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      renameSync(fresh, dest);
      return;
    } catch {
      if (existsSync(path.join(dest, marker))) {
        rmSync(fresh, { recursive: true, force: true });
        return;
      }
      const stale = `${dest}.stale-${process.pid}-${attempt}`;
      try {
        renameSync(dest, stale);
        rmSync(stale, { recursive: true, force: true });
      } catch {
        // another process moved it meanwhile
      }
    }
  }
  throw new Error(`could not put ${fresh} in place as ${dest}`);
}

/** Every file of a fixture, path and bytes, hashed: the name of what Maven builds from it. */
export function fixtureHash(source: string): string {
  const root = path.join(ROOT, source);
  const hash = createHash('sha256');
  for (const rel of (readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).sort()) {
    const file = path.join(root, rel);
    if (statSync(file).isFile()) hash.update(`${rel}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The shaded fixture's jar, built by Maven (offline, from Debian's repository) once per machine and fixture content,
 * and kept in the OS temp directory: for tests that are not about the Java build, which then run no build tool.
 */
export function shadedJar(): string {
  const dir = path.join(os.tmpdir(), `image-publish-jar-shaded-${fixtureHash(SHADED)}`);
  const jar = path.join(dir, 'hello-service-1.0.0.jar');
  if (existsSync(jar)) return jar;
  const ws = workspace(SHADED);
  execFileSync('mvn', ['-B', '-q', '-DskipTests', 'package'], { cwd: ws.dir, env: { ...process.env, ...ws.env }, stdio: 'ignore', timeout: 5 * 60 * 1000 });
  keepJar(path.join(ws.dir, 'target/hello-service-1.0.0.jar'), dir);
  return jar;
}

/** Keeps a built jar as `<dir>/hello-service-1.0.0.jar`; a concurrent first build may have put it in place meanwhile: either copy is the same build. */
export function keepJar(built: string, dir: string): void {
  const fresh = mkdtempSync(path.join(os.tmpdir(), 'ip-jar-'));
  cpSync(built, path.join(fresh, 'hello-service-1.0.0.jar'));
  putInPlace(fresh, dir, 'hello-service-1.0.0.jar');
}

/** The inputs that take a workspace's prebuilt jar as it is: no build tool runs. */
export const PREBUILT: Record<string, string> = { 'java-tool': 'none', artifact: 'target/hello-service-1.0.0.jar' };

/** A workspace of the shaded fixture with its jar already built (see shadedJar); publish it with PREBUILT. */
export function prebuiltWorkspace(opts: WorkspaceOptions = {}): Workspace {
  const ws = workspace(SHADED, opts);
  mkdirSync(path.join(ws.dir, 'target'), { recursive: true });
  cpSync(shadedJar(), path.join(ws.dir, 'target/hello-service-1.0.0.jar'));
  return ws;
}

/** A name no earlier run has used, so tests never see each other's images. */
export function uniqueRepo(prefix: string): string {
  return `e2e/${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** A manifest as the registry serves it (an index is resolved to its first linux/amd64 manifest). */
export async function registryManifest(s: Services, repo: string, ref: string): Promise<{ config: { digest: string }; layers: { digest: string; size: number }[] }> {
  const res = await fetch(`http://${s.registry}/v2/${repo}/manifests/${ref}`, {
    headers: { authorization: auth(s), accept: MANIFEST_TYPES },
    signal: AbortSignal.timeout(10000),
  });
  if (!res.ok) throw new Error(`manifest ${repo}@${ref}: HTTP ${res.status}`);
  const body = (await res.json()) as { manifests?: { digest: string; platform?: { architecture?: string } }[]; config: { digest: string }; layers: { digest: string; size: number }[] };
  if (body.manifests) {
    const m = body.manifests.find((x) => x.platform?.architecture === 'amd64') ?? body.manifests[0];
    return registryManifest(s, repo, m.digest);
  }
  return body;
}
