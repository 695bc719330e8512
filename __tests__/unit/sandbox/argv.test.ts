import { describe, expect, it } from 'vitest';
import { envFileText, SANDBOX_SCRIPT, sandboxArgv, type SandboxSpec } from '../../../src/sandbox/argv.js';

const tools = { unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv', sh: '/bin/sh', mount: '/bin/mount', sudo: '/usr/bin/sudo' };
const spec = (over: Partial<SandboxSpec> = {}): SandboxSpec => ({
  mechanism: 'root',
  tools,
  uid: 1001,
  gid: 118,
  mounts: { readOnly: ['/etc', '/rt'], hideDirs: ['/rt/_runner_file_commands', '/home/runner/.docker'], hideFiles: ['/rt/out'] },
  envFile: '/rt/image-publish-sandbox-x/env',
  file: './mvnw',
  args: ['--batch-mode', 'package'],
  ...over,
});

const inner = (setpriv: string[]): string[] => [
  '--pid', '--fork', '--kill-child', '--mount-proc', '--mount', '--propagation', 'private', '--',
  '/bin/sh', '-c', SANDBOX_SCRIPT, 'image-publish-sandbox', '/bin/mount', '/rt/image-publish-sandbox-x/env',
  '--read-only', '/etc', '/rt', '--hide-dir', '/rt/_runner_file_commands', '/home/runner/.docker', '--hide-file', '/rt/out',
  '--exec', '/usr/bin/setpriv', ...setpriv, '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all', '--', './mvnw', '--batch-mode', 'package',
];

describe('the sandbox argv', () => {
  const ids = ['--reuid=1001', '--regid=118', '--init-groups'];
  it.each([
    ['root', '/usr/bin/unshare', inner(ids)],
    ['sudo', '/usr/bin/sudo', ['-n', '--', '/usr/bin/unshare', ...inner(ids)]],
    ['userns', '/usr/bin/unshare', ['--map-current-user', '--keep-caps', ...inner([])]],
    ['userns-root', '/usr/bin/unshare', ['--map-root-user', ...inner([])]],
  ] as const)('%s', (mechanism, file, args) => {
    expect(sandboxArgv(spec({ mechanism }))).toEqual({ file, args });
  });

  it('leaves out empty mount groups', () => {
    const { args } = sandboxArgv(spec({ mounts: { readOnly: [], hideDirs: [], hideFiles: ['/x'] } }));
    expect(args).not.toContain('--read-only');
    expect(args).not.toContain('--hide-dir');
    expect(args.slice(args.indexOf('--hide-file'), args.indexOf('--exec'))).toEqual(['--hide-file', '/x']);
  });

  it('takes absolute paths only, so no path is read as a flag', () => {
    expect(() => sandboxArgv(spec({ mounts: { readOnly: [], hideDirs: ['--exec'], hideFiles: [] } }))).toThrow(/absolute paths only/);
    expect(() => sandboxArgv(spec({ envFile: 'env' }))).toThrow(/absolute paths only/);
    expect(() => sandboxArgv(spec({ tools: { ...tools, mount: 'mount' } }))).toThrow(/absolute paths only/);
  });

  it('needs the uid and gid, and sudo for the sudo mechanism', () => {
    expect(() => sandboxArgv(spec({ uid: -1 }))).toThrow(/uid and gid/);
    expect(() => sandboxArgv(spec({ mechanism: 'sudo', tools: { ...tools, sudo: undefined } }))).toThrow(/needs sudo/);
  });

  it('carries no environment value in argv: the environment travels in the env file', () => {
    const { args } = sandboxArgv(spec());
    expect(args.join('\n')).not.toMatch(/PATH=|HOME=|MAVEN_OPTS/);
  });

  it('interpolates nothing into the script: every path is a positional argument', () => {
    expect(SANDBOX_SCRIPT).not.toContain('/rt');
    expect(SANDBOX_SCRIPT).toContain('exec "$@"');
  });
});

describe('the env file', () => {
  it('quotes every value for sh and leaves out names sh cannot export', () => {
    expect(envFileText({ A: "it's", B: '$(rm -rf /)', 'C-D': 'x', E: undefined, F: 'a\nb' })).toBe("export A='it'\\''s'\nexport B='$(rm -rf /)'\nexport F='a\nb'\n");
  });
});
