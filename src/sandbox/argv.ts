import path from 'node:path';
import type { Mechanism } from './decide.js';

/** What the build's mount namespace changes: read-only binds first, then empty mounts over what it must not see. */
export interface MountPlan {
  /** Bound read-only onto themselves (recursively). */
  readOnly: string[];
  /** Covered with an empty read-only tmpfs. */
  hideDirs: string[];
  /** Covered with /dev/null: reads are empty, writes vanish. */
  hideFiles: string[];
}

/** Where the sandbox's own tools are: absolute paths, so neither sudo's secure_path nor the job's PATH picks them. */
export interface SandboxTools {
  unshare: string;
  setpriv: string;
  sh: string;
  mount: string;
  sudo?: string;
}

export interface SandboxSpec {
  mechanism: Mechanism;
  tools: SandboxTools;
  /** The runner's uid and gid, which the build keeps. */
  uid: number;
  gid: number;
  mounts: MountPlan;
  /** A file of `export NAME='value'` lines: the build's environment, which sudo would otherwise reset. */
  envFile: string;
  file: string;
  args: readonly string[];
}

/**
 * Runs inside the new namespaces, still privileged: loads the build's environment, makes the mounts (a path that
 * does not exist is skipped; a mount that fails stops everything with 125), then execs setpriv, which drops every
 * capability and exec's the build. Its arguments: mount, the env file, `--read-only|--hide-dir|--hide-file` paths,
 * `--exec`, the command. No value is interpolated: paths travel as arguments.
 */
export const SANDBOX_SCRIPT = `set -eu
mnt=$1 envfile=$2
shift 2
. "$envfile"
unset SUDO_USER SUDO_UID SUDO_GID SUDO_COMMAND SUDO_HOME MAIL 2>/dev/null || true
mode=
while [ "$#" -gt 0 ] && [ "$1" != --exec ]; do
  case "$1" in
    --read-only|--hide-dir|--hide-file) mode=$1 ;;
    *)
      if [ -e "$1" ]; then
        case "$mode" in
          --read-only) "$mnt" --rbind -o ro -- "$1" "$1" ;;
          --hide-dir) "$mnt" -t tmpfs -o ro,nosuid,nodev,noexec,size=4k,mode=0555 -- image-publish-hidden "$1" ;;
          --hide-file) "$mnt" --bind -- /dev/null "$1" ;;
        esac || { echo "image-publish sandbox: could not mount $mode $1" >&2; exit 125; }
      fi ;;
  esac
  shift
done
[ "$#" -gt 1 ] || { echo "image-publish sandbox: no command" >&2; exit 125; }
shift
exec "$@"`;

/** The namespaces every mechanism makes: its own PID namespace and /proc, its own mounts; all die with PID 1. */
const NAMESPACES = ['--pid', '--fork', '--kill-child', '--mount-proc', '--mount', '--propagation', 'private'];
const DROP = ['--no-new-privs', '--bounding-set=-all', '--inh-caps=-all'];

function mountArgs(plan: MountPlan): string[] {
  const group = (flag: string, paths: readonly string[]): string[] => (paths.length ? [flag, ...paths] : []);
  return [...group('--read-only', plan.readOnly), ...group('--hide-dir', plan.hideDirs), ...group('--hide-file', plan.hideFiles)];
}

/**
 * The argv that runs `file args` in the sandbox. Root and sudo keep the runner's uid, gid and groups through
 * setpriv; a user namespace keeps them by its mapping. Throws on a relative path (a path is never read as a
 * flag) or on sudo without its tool. Pure.
 */
export function sandboxArgv(spec: SandboxSpec): { file: string; args: string[] } {
  const { tools, mounts } = spec;
  for (const p of [...Object.values(tools), spec.envFile, ...mounts.readOnly, ...mounts.hideDirs, ...mounts.hideFiles]) {
    if (p !== undefined && !path.isAbsolute(p)) throw new Error(`the sandbox takes absolute paths only, not ${p}`);
  }
  if (!Number.isInteger(spec.uid) || !Number.isInteger(spec.gid) || spec.uid < 0 || spec.gid < 0) throw new Error('the sandbox needs the runner\'s uid and gid');
  const ids = [`--reuid=${spec.uid}`, `--regid=${spec.gid}`, '--init-groups'];
  const user = spec.mechanism === 'userns' ? ['--map-current-user', '--keep-caps'] : spec.mechanism === 'userns-root' ? ['--map-root-user'] : [];
  const setpriv = [tools.setpriv, ...(spec.mechanism === 'root' || spec.mechanism === 'sudo' ? ids : []), ...DROP, '--'];
  const inner = [tools.unshare, ...user, ...NAMESPACES, '--', tools.sh, '-c', SANDBOX_SCRIPT, 'image-publish-sandbox', tools.mount, spec.envFile, ...mountArgs(mounts), '--exec', ...setpriv, spec.file, ...spec.args];
  if (spec.mechanism !== 'sudo') return { file: inner[0], args: inner.slice(1) };
  if (!tools.sudo) throw new Error('the sudo mechanism needs sudo');
  return { file: tools.sudo, args: ['-n', '--', ...inner] };
}

/** `export NAME='value'` lines for the script to load; names a shell cannot export are left out. Pure. */
export function envFileText(env: Readonly<Record<string, string | undefined>>): string {
  const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  return Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e[0]))
    .map(([k, v]) => `export ${k}=${quote(v)}\n`)
    .join('');
}
