import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MountPlan } from './argv.js';

/** The runner's command files: where a step's outputs, state, later steps' environment and PATH are written. */
export const FILE_COMMANDS = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY'] as const;
/** The runner keeps every step's command files in this folder of RUNNER_TEMP. */
export const RUNNER_FILE_COMMANDS = '_runner_file_commands';
/** Every file and folder the action keeps in RUNNER_TEMP starts so. */
export const OWN_PREFIX = 'image-publish-';
/** Root-owned places a build running as uid 0 could otherwise rewrite: read-only for every build (free for others). */
const SYSTEM_READ_ONLY = ['/etc', '/usr', '/boot', '/proc/sys', '/proc/sysrq-trigger', '/sys'];
/** Engine sockets: whoever reaches one can start a privileged container, so the build reaches none. */
const ENGINE_SOCKETS = ['/run/docker.sock', '/var/run/docker.sock', '/run/containerd/containerd.sock', '/run/buildkit/buildkitd.sock', '/run/podman/podman.sock'];

/** What the machine looks like where it matters, read just before the build starts. */
export interface MountView {
  runnerTemp: string;
  /** RUNNER_TEMP's entries, by name. */
  runnerTempEntries: { name: string; dir: boolean }[];
  /** The command files the runner gave this step (existing ones). */
  fileCommands: string[];
  /** ~/.docker or DOCKER_CONFIG, when it exists. */
  dockerConfigDir?: string;
  /** `secrets` entries given as id=file:PATH: meant for BuildKit, never for the build tool. */
  secretFiles: string[];
  /** Engine sockets that exist: the defaults and DOCKER_HOST's. */
  sockets: string[];
  /** Where the build writes: workspace, working directory, HOME. Nothing that holds one is made read-only or hidden. */
  writable: string[];
  /** Files of the action's own the build reads (the Gradle init script): left readable, read-only with RUNNER_TEMP. */
  keep: string[];
}

const inside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * The mounts that keep the build from the step's secrets and command files: the system and RUNNER_TEMP
 * read-only, the runner's command-file folder, the action's files in RUNNER_TEMP, the Docker config, file secrets
 * and engine sockets covered. A cover that would hide the workspace or HOME is left out. Pure.
 */
export function mountPlan(view: MountView): MountPlan {
  const holdsWork = (p: string): boolean => view.writable.some((w) => inside(w, p));
  const temp = view.runnerTemp;
  const own = view.runnerTempEntries.filter((e) => e.name.startsWith(OWN_PREFIX) && !view.keep.includes(path.join(temp, e.name)));
  const commandDirs = [
    ...view.runnerTempEntries.filter((e) => e.dir && e.name === RUNNER_FILE_COMMANDS).map((e) => path.join(temp, e.name)),
    ...view.fileCommands.map((f) => path.dirname(f)).filter((d) => path.basename(d) === RUNNER_FILE_COMMANDS),
  ];
  const hideDirs = [...commandDirs, ...own.filter((e) => e.dir).map((e) => path.join(temp, e.name)), ...(view.dockerConfigDir ? [view.dockerConfigDir] : [])];
  const hideFiles = [...view.fileCommands, ...own.filter((e) => !e.dir).map((e) => path.join(temp, e.name)), ...view.secretFiles, ...view.sockets];
  const uniq = (ps: string[]): string[] => [...new Set(ps.map((p) => path.resolve(p)))].filter((p) => !holdsWork(p));
  return { readOnly: uniq([...SYSTEM_READ_ONLY, temp]), hideDirs: uniq(hideDirs), hideFiles: uniq(hideFiles) };
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function isFile(p: string): boolean {
  try {
    return !statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A unix socket path of DOCKER_HOST, if it names one. Pure. */
export function dockerHostSocket(dockerHost: string | undefined): string | undefined {
  if (!dockerHost?.startsWith('unix://')) return undefined;
  const p = dockerHost.slice('unix://'.length);
  return path.isAbsolute(p) ? p : undefined;
}

/** Reads the view for mountPlan from this machine and the step's environment. */
export function readMountView(env: NodeJS.ProcessEnv, runnerTemp: string, parts: { writable: string[]; keep: string[]; secretFiles: string[]; dockerConfigDir: string }): MountView {
  const temp = real(runnerTemp);
  const entries = existsSync(temp) ? readdirSync(temp, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() })) : [];
  const present = (ps: (string | undefined)[]): string[] => ps.filter((p): p is string => !!p && existsSync(p)).map(real);
  return {
    runnerTemp: temp,
    runnerTempEntries: entries,
    fileCommands: present(FILE_COMMANDS.map((n) => env[n])).filter(isFile),
    dockerConfigDir: present([parts.dockerConfigDir])[0],
    secretFiles: present(parts.secretFiles).filter(isFile),
    sockets: present([...ENGINE_SOCKETS, dockerHostSocket(env.DOCKER_HOST), env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'docker.sock')]),
    writable: parts.writable.map(real),
    keep: parts.keep.map(real),
  };
}
