import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { execute } from '../exec.js';
import { envFileText, sandboxArgv, type SandboxTools } from './argv.js';
import { candidates, decideIsolation, type Isolation, type IsolationMode, type MachineFacts, type Mechanism } from './decide.js';

const TRIAL_TIMEOUT_MS = 15 * 1000;

/** The absolute path PATH gives `name`, if any. */
function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function sysctl(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** What this machine offers the sandbox, read from PATH and /proc/sys; starts no process. */
export function machineFacts(env: NodeJS.ProcessEnv): MachineFacts {
  const tools = Object.fromEntries((['unshare', 'setpriv', 'sh', 'mount', 'sudo'] as const).map((t) => [t, onPath(t, env.PATH)]).filter(([, p]) => p));
  return {
    platform: process.platform,
    uid: process.getuid?.() ?? -1,
    tools,
    maxUserNamespaces: sysctl('/proc/sys/user/max_user_namespaces'),
    unprivilegedUsernsClone: sysctl('/proc/sys/kernel/unprivileged_userns_clone'),
    apparmorRestrictsUserns: sysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
  };
}

/**
 * Raises the wall once around a command that checks it: a file covered by /dev/null must read empty. Every mount
 * kind the build's sandbox uses is made, so a machine that passes here can run the build's.
 */
async function trial(mechanism: Mechanism, tools: SandboxTools, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'image-publish-probe-'));
  try {
    const secret = path.join(dir, 'secret');
    writeFileSync(secret, 'not for the build\n');
    mkdirSync(path.join(dir, 'hidden'));
    writeFileSync(path.join(dir, 'hidden', 'x'), 'x');
    const envFile = path.join(dir, 'env');
    writeFileSync(envFile, envFileText({ PATH: env.PATH }), { mode: 0o600 });
    const check = 'test ! -s "$1" && test ! -e "$2" && ! touch "$3" 2>/dev/null';
    const { file, args } = sandboxArgv({
      mechanism,
      tools,
      uid: process.getuid?.() ?? -1,
      gid: process.getgid?.() ?? -1,
      mounts: { readOnly: [dir], hideDirs: [path.join(dir, 'hidden')], hideFiles: [secret] },
      envFile,
      file: tools.sh,
      args: ['-c', check, 'trial', secret, path.join(dir, 'hidden', 'x'), path.join(dir, 'written')],
    });
    const r = await execute(file, args, { timeoutMs: TRIAL_TIMEOUT_MS, env: { PATH: env.PATH ?? '' }, reap: true });
    if (r.code === 0) return undefined;
    const said = r.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300);
    return r.timedOut ? `the trial took longer than ${TRIAL_TIMEOUT_MS / 1000} s` : `the trial exited with code ${r.code}${said ? ` (${said})` : ''}`;
  } catch (e) {
    return errorMessage(e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What `build-isolation` gets on this machine: the first mechanism whose trial passes (about 20–60 ms each).
 * `off` probes nothing; `required` throws an InputError when nothing passes.
 */
export async function probeIsolation(mode: IsolationMode, env: NodeJS.ProcessEnv): Promise<Isolation> {
  if (mode === 'off') return decideIsolation(mode, undefined, []);
  const facts = machineFacts(env);
  const trials: { mechanism: Mechanism; error?: string }[] = [];
  for (const mechanism of candidates(facts).try) {
    const error = await trial(mechanism, facts.tools as SandboxTools, env);
    trials.push({ mechanism, error });
    if (!error) break;
  }
  return decideIsolation(mode, facts, trials);
}
