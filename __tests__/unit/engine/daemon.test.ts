import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerdProcesses, findDaemon, flagValues, normalHost, type ProcessInfo } from '../../../src/engine/daemon.js';

const dockerd = (pid: number, ...args: string[]): ProcessInfo => ({ pid, comm: 'dockerd', argv: ['/usr/bin/dockerd', ...args] });
// GitHub's ubuntu-24.04 hosted runners: systemd starts it on a socket it hands over
const hosted = dockerd(812, '-H', 'fd://', '--containerd=/run/containerd/containerd.sock');
const plain = dockerd(4913, '--bridge=none', '--iptables=false');
const classic: ProcessInfo = {
  pid: 11232,
  comm: 'dockerd-classic',
  argv: ['/tmp/ci/dockerd-classic', '--host', 'unix:///run/docker-classic.sock', '--config-file', '/tmp/ci/classic/daemon.json', '--data-root', '/var/lib/docker-classic'],
};
const tcp = dockerd(77, '-H=tcp://127.0.0.1:2375', '--config-file=/etc/docker/tcp.json');
const containerd: ProcessInfo = { pid: 9, comm: 'containerd', argv: ['containerd', '--config', '/var/run/docker/containerd/containerd.toml'] };

describe('the engine behind DOCKER_HOST and its daemon.json', () => {
  it.each<[string, ProcessInfo[], string, number, string]>([
    ['hosted runner, DOCKER_HOST unset', [hosted, containerd], '', 812, '/etc/docker/daemon.json'],
    ['hosted runner, DOCKER_HOST spelled with /var/run', [hosted], 'unix:///var/run/docker.sock', 812, '/etc/docker/daemon.json'],
    ['one daemon without -H', [plain], '', 4913, '/etc/docker/daemon.json'],
    ['two daemons: the default socket is the one without -H', [classic, plain], '', 4913, '/etc/docker/daemon.json'],
    ['two daemons: DOCKER_HOST names the second, with its own --config-file', [plain, classic], 'unix:///run/docker-classic.sock', 11232, '/tmp/ci/classic/daemon.json'],
    ['DOCKER_HOST as /var/run path of a /run socket', [plain, classic], 'unix:///var/run/docker-classic.sock', 11232, '/tmp/ci/classic/daemon.json'],
    ['tcp host with --flag=value spellings', [plain, tcp], 'tcp://127.0.0.1:2375', 77, '/etc/docker/tcp.json'],
    ['a lone daemon whose hosts live in daemon.json', [plain], 'unix:///srv/docker.sock', 4913, '/etc/docker/daemon.json'],
  ])('%s', (_, procs, host, pid, configFile) => {
    expect(findDaemon(procs, host)).toEqual({ pid, configFile });
  });

  it.each<[string, ProcessInfo[], string, RegExp]>([
    ['no dockerd', [containerd], '', /no dockerd process was found/],
    ['two daemons, neither on that socket', [plain, classic], 'unix:///srv/docker.sock', /2 dockerd processes run \(pids 4913, 11232\) and none names \/srv\/docker.sock/],
  ])('fails clearly: %s', (_, procs, host, message) => {
    expect(() => findDaemon(procs, host)).toThrow(message);
  });

  it('reads flags in every spelling dockerd accepts', () => {
    expect(flagValues(['dockerd', '-H', 'a', '--host=b', '-Hc', '--host', 'd', '--config-file', 'x'], 'host', 'H')).toEqual(['a', 'b', 'c', 'd']);
    expect(flagValues(['dockerd', '--config-file'], 'config-file')).toEqual([]);
    expect(normalHost('unix:///var/run/docker.sock')).toBe('/run/docker.sock');
    expect(normalHost('')).toBe('/run/docker.sock');
    expect(normalHost('tcp://127.0.0.1:2375/')).toBe('tcp://127.0.0.1:2375');
  });

  it('lists dockerd processes from a /proc tree, and only those', () => {
    const proc = mkdtempSync(path.join(os.tmpdir(), 'proc-'));
    const add = (pid: number, comm: string, argv: string[]): void => {
      mkdirSync(path.join(proc, String(pid)));
      writeFileSync(path.join(proc, String(pid), 'comm'), `${comm}\n`);
      writeFileSync(path.join(proc, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
    };
    add(4913, 'dockerd', ['dockerd', '--bridge=none', '']);
    add(11232, 'dockerd-classic', classic.argv);
    add(9, 'containerd', containerd.argv);
    mkdirSync(path.join(proc, 'self'));
    const found = dockerdProcesses(proc).sort((a, b) => a.pid - b.pid);
    expect(found).toEqual([
      { pid: 4913, comm: 'dockerd', argv: ['dockerd', '--bridge=none', ''] },
      { pid: 11232, comm: 'dockerd-classic', argv: classic.argv },
    ]);
  });
});
