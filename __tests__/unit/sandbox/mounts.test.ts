import { describe, expect, it } from 'vitest';
import { dockerHostSocket, mountPlan, type MountView } from '../../../src/sandbox/mounts.js';

const view = (over: Partial<MountView> = {}): MountView => ({
  runnerTemp: '/home/runner/work/_temp',
  runnerTempEntries: [
    { name: '_runner_file_commands', dir: true },
    { name: 'image-publish-docker-a1B2c3', dir: true },
    { name: 'image-publish-layers', dir: true },
    { name: 'image-publish-reproducible.gradle', dir: false },
    { name: 'image-publish-load.tar', dir: false },
    { name: 'keystore.jks', dir: false },
    { name: '9f3c.sh', dir: false },
  ],
  fileCommands: ['/home/runner/work/_temp/_runner_file_commands/set_output_1', '/home/runner/work/_temp/_runner_file_commands/save_state_1'],
  dockerConfigDir: '/home/runner/.docker',
  secretFiles: ['/home/runner/work/app/app/secret.txt'],
  sockets: ['/run/docker.sock'],
  writable: ['/home/runner/work/app/app', '/home/runner'],
  keep: ['/home/runner/work/_temp/image-publish-reproducible.gradle'],
  ...over,
});

describe('what the build does not see', () => {
  it('on a hosted runner', () => {
    expect(mountPlan(view())).toEqual({
      readOnly: ['/etc', '/usr', '/boot', '/proc/sys', '/proc/sysrq-trigger', '/sys', '/home/runner/work/_temp'],
      hideDirs: ['/home/runner/work/_temp/_runner_file_commands', '/home/runner/work/_temp/image-publish-docker-a1B2c3', '/home/runner/work/_temp/image-publish-layers', '/home/runner/.docker'],
      hideFiles: [
        '/home/runner/work/_temp/_runner_file_commands/set_output_1',
        '/home/runner/work/_temp/_runner_file_commands/save_state_1',
        '/home/runner/work/_temp/image-publish-load.tar',
        '/home/runner/work/app/app/secret.txt',
        '/run/docker.sock',
      ],
    });
  });

  it('command files outside RUNNER_TEMP (as the e2e harness lays them) are covered one by one', () => {
    const plan = mountPlan(view({ runnerTempEntries: [], fileCommands: ['/tmp/run/output', '/tmp/run/state', '/tmp/run/env', '/tmp/run/path'] }));
    expect(plan.hideFiles.slice(0, 4)).toEqual(['/tmp/run/output', '/tmp/run/state', '/tmp/run/env', '/tmp/run/path']);
    expect(plan.hideDirs).toEqual(['/home/runner/.docker']);
  });

  it('the Gradle init script stays readable (read-only with RUNNER_TEMP)', () => {
    const plan = mountPlan(view());
    expect([...plan.hideDirs, ...plan.hideFiles]).not.toContain('/home/runner/work/_temp/image-publish-reproducible.gradle');
  });

  it('never covers or freezes a place that holds the workspace or HOME', () => {
    const plan = mountPlan(view({ runnerTemp: '/home/runner', runnerTempEntries: [], dockerConfigDir: '/home/runner/work/app/app/.docker', writable: ['/etc/app', '/home/runner/work/app/app/.docker'] }));
    expect(plan.readOnly).toEqual(['/usr', '/boot', '/proc/sys', '/proc/sysrq-trigger', '/sys']);
    expect(plan.hideDirs).toEqual(['/home/runner/work/_temp/_runner_file_commands']);
  });

  it('names each path once', () => {
    const plan = mountPlan(view({ sockets: ['/run/docker.sock', '/run/docker.sock'], secretFiles: [] }));
    expect(plan.hideFiles.filter((p) => p === '/run/docker.sock')).toHaveLength(1);
  });
});

describe('DOCKER_HOST', () => {
  it.each([
    ['unix:///var/run/docker.sock', '/var/run/docker.sock'],
    ['unix:///run/user/1001/docker.sock', '/run/user/1001/docker.sock'],
    ['tcp://127.0.0.1:2375', undefined],
    ['unix://relative.sock', undefined],
    [undefined, undefined],
  ])('%s', (host, socket) => expect(dockerHostSocket(host)).toBe(socket));
});
