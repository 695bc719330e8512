import { describe, expect, it } from 'vitest';
import { candidates, decideIsolation, unwalledWarning, type MachineFacts } from '../../../src/sandbox/decide.js';
import { InputError } from '../../../src/errors.js';

const all = { unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv', sh: '/bin/sh', mount: '/bin/mount', sudo: '/usr/bin/sudo' };
const facts = (over: Partial<MachineFacts> = {}): MachineFacts => ({ platform: 'linux', uid: 1001, tools: all, maxUserNamespaces: 63000, ...over });

describe('which mechanisms the probe tries', () => {
  it.each([
    ['root, as in containers and on this machine', facts({ uid: 0 }), ['root'], []],
    ['a hosted runner: sudo, then user namespaces', facts(), ['sudo', 'userns', 'userns-root'], []],
    ['no sudo', facts({ tools: { ...all, sudo: undefined } }), ['userns', 'userns-root'], ['sudo is not on PATH']],
    ['Ubuntu 24.04 without sudo', facts({ tools: { ...all, sudo: undefined }, apparmorRestrictsUserns: 1 }), [], ['sudo is not on PATH', 'AppArmor leaves unprivileged user namespaces without capabilities (kernel.apparmor_restrict_unprivileged_userns = 1)']],
    ['user namespaces off', facts({ maxUserNamespaces: 0 }), ['sudo'], ['user namespaces are off (user.max_user_namespaces = 0)']],
    ['Debian\'s clone switch off', facts({ unprivilegedUsernsClone: 0 }), ['sudo'], ['unprivileged user namespaces are off (kernel.unprivileged_userns_clone = 0)']],
    ['macOS', facts({ platform: 'darwin' }), [], ['the runner is darwin, and the sandbox needs Linux namespaces']],
    ['Windows', facts({ platform: 'win32' }), [], ['the runner is win32, and the sandbox needs Linux namespaces']],
    ['no util-linux', facts({ tools: { sh: '/bin/sh', sudo: '/usr/bin/sudo' } }), [], ['unshare, setpriv, mount are not on PATH (util-linux)']],
    ['no setpriv, even as root', facts({ uid: 0, tools: { ...all, setpriv: undefined } }), [], ['setpriv is not on PATH (util-linux)']],
  ] as const)('%s', (_, f, tries, out) => {
    expect(candidates(f)).toEqual({ try: tries, out });
  });
});

describe('the decision table of build-isolation', () => {
  const f = facts({ tools: { ...all, sudo: undefined }, apparmorRestrictsUserns: 1 });
  it('off isolates nothing and probes nothing', () => {
    expect(decideIsolation('off', undefined, [])).toEqual({ mode: 'off', why: 'build-isolation is off' });
  });
  it.each(['auto', 'required'] as const)('%s takes the first trial that passed', (mode) => {
    const r = decideIsolation(mode, facts(), [{ mechanism: 'sudo', error: 'sudo: a password is required' }, { mechanism: 'userns' }]);
    expect(r.mechanism).toBe('userns');
  });
  it('auto without a mechanism says why, for its one warning', () => {
    const r = decideIsolation('auto', f, []);
    expect(r.mechanism).toBeUndefined();
    expect(r.why).toBe('this runner cannot isolate the build: sudo is not on PATH; AppArmor leaves unprivileged user namespaces without capabilities (kernel.apparmor_restrict_unprivileged_userns = 1)');
    const w = unwalledWarning(r);
    for (const named of ['/proc', 'password', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'RUNNER_TEMP', '~/.docker', 'Docker engine', 'build-isolation: required']) expect(w).toContain(named);
  });
  it('auto names failed trials too', () => {
    expect(decideIsolation('auto', facts(), [{ mechanism: 'sudo', error: 'exit 1' }, { mechanism: 'userns', error: 'exit 125' }, { mechanism: 'userns-root', error: 'exit 125' }]).why).toContain('sudo: exit 1; userns: exit 125; userns-root: exit 125');
  });
  it('required without a mechanism is an input error naming build-isolation and the fix', () => {
    expect(() => decideIsolation('required', f, [])).toThrow(InputError);
    expect(() => decideIsolation('required', f, [])).toThrow(/Input 'build-isolation': is required, but this runner cannot isolate the build: sudo is not on PATH.*set build-isolation: auto/);
  });
});
