import { InputError } from '../errors.js';

/** The `build-isolation` input. */
export type IsolationMode = 'auto' | 'required' | 'off';
export const ISOLATION_MODES: readonly IsolationMode[] = ['auto', 'required', 'off'];

/**
 * How the wall is raised: `root` (the action runs as root), `sudo` (passwordless sudo, as on GitHub's hosted
 * runners), `userns` (an unprivileged user namespace mapping the runner's uid to itself, util-linux 2.38+),
 * `userns-root` (one mapping it to root inside, for older util-linux).
 */
export type Mechanism = 'root' | 'sudo' | 'userns' | 'userns-root';

/** What the machine offers, as the probe found it; no process has been started for these. */
export interface MachineFacts {
  platform: NodeJS.Platform;
  uid: number;
  /** Absolute paths of the tools the sandbox needs, where PATH has them. */
  tools: Partial<Record<'unshare' | 'setpriv' | 'sh' | 'mount' | 'sudo', string>>;
  /** user.max_user_namespaces (0 turns them off). */
  maxUserNamespaces?: number;
  /** kernel.unprivileged_userns_clone (Debian's older kernels; 0 turns them off for non-root). */
  unprivilegedUsernsClone?: number;
  /** kernel.apparmor_restrict_unprivileged_userns (Ubuntu 23.10+; 1 leaves such namespaces without capabilities). */
  apparmorRestrictsUserns?: number;
}

/** The mechanisms worth a trial on this machine, best first, and why each other one is out. Pure. */
export function candidates(facts: MachineFacts): { try: Mechanism[]; out: string[] } {
  if (facts.platform !== 'linux') return { try: [], out: [`the runner is ${facts.platform}, and the sandbox needs Linux namespaces`] };
  const missing = (['unshare', 'setpriv', 'sh', 'mount'] as const).filter((t) => !facts.tools[t]);
  if (missing.length) return { try: [], out: [`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not on PATH (util-linux)`] };
  if (facts.uid === 0) return { try: ['root'], out: [] };
  const out: string[] = [];
  const tries: Mechanism[] = [];
  if (facts.tools.sudo) tries.push('sudo');
  else out.push('sudo is not on PATH');
  if (facts.maxUserNamespaces === 0) out.push('user namespaces are off (user.max_user_namespaces = 0)');
  else if (facts.unprivilegedUsernsClone === 0) out.push('unprivileged user namespaces are off (kernel.unprivileged_userns_clone = 0)');
  else if (facts.apparmorRestrictsUserns === 1) out.push('AppArmor leaves unprivileged user namespaces without capabilities (kernel.apparmor_restrict_unprivileged_userns = 1)');
  else tries.push('userns', 'userns-root');
  return { try: tries, out };
}

/** The wall the build runs behind, decided once before the first side effect. */
export interface Isolation {
  mode: IsolationMode;
  /** How the build is walled in; undefined: it runs as a plain child process of the action. */
  mechanism?: Mechanism;
  facts?: MachineFacts;
  /** Why there is no wall (`off`, or what the probe found). */
  why?: string;
}

/** What a build outside the sandbox can reach, named for the one warning `auto` gives. */
export const UNWALLED =
  'the step\'s environment through /proc (the password, github-token, signing key and password inputs, ACTIONS_RUNTIME_TOKEN and ACTIONS_ID_TOKEN_REQUEST_TOKEN), ' +
  'the runner\'s file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_PATH), the action\'s files in RUNNER_TEMP, ~/.docker and the Docker engine; ' +
  'and processes it leaves behind may outlive the Java stage';

/**
 * The decision table: `off` never isolates; otherwise the first mechanism whose trial passed. `required` without
 * one throws; `auto` without one returns the reason for its warning. Pure.
 */
export function decideIsolation(mode: IsolationMode, facts: MachineFacts | undefined, trials: readonly { mechanism: Mechanism; error?: string }[]): Isolation {
  if (mode === 'off') return { mode, why: 'build-isolation is off' };
  const passed = trials.find((t) => !t.error);
  if (passed) return { mode, mechanism: passed.mechanism, facts };
  const reasons = [...(facts ? candidates(facts).out : ['the machine could not be probed']), ...trials.map((t) => `${t.mechanism}: ${t.error}`)];
  const why = `this runner cannot isolate the build: ${reasons.join('; ')}`;
  if (mode === 'required') {
    throw new InputError(
      'build-isolation',
      `is required, but ${why}. Run the job on a Linux runner where \`sudo -n\` works (GitHub's hosted runners) or unprivileged user namespaces are allowed, with util-linux's unshare and setpriv on PATH; or set build-isolation: auto to build without the wall, with a warning.`,
    );
  }
  return { mode, facts, why };
}

/** The one line `auto` prints when it builds without the wall. Pure. */
export function unwalledWarning(isolation: Isolation): string {
  return `The Java build runs without isolation (${isolation.why}), so it can read ${UNWALLED}. Set build-isolation: required to fail instead; see the README's Security section.`;
}
