import { describe, expect, it } from 'vitest';
import type { ContainerConfig } from '../../../src/oci/config.js';
import { rebaseContainerConfig, rebaseEnv } from '../../../src/rebase/config.js';

describe('rebaseEnv: inherited keys follow the new base, the app’s own stay', () => {
  it.each<[string, string[] | undefined, string[] | undefined, string[] | undefined, string[] | undefined]>([
    ['JAVA_HOME inherited moves', ['PATH=/bin', 'JAVA_HOME=/j/1'], ['PATH=/bin', 'JAVA_HOME=/j/1'], ['PATH=/bin', 'JAVA_HOME=/j/2'], ['PATH=/bin', 'JAVA_HOME=/j/2']],
    ['PATH the app changed stays the app’s', ['PATH=/app/bin:/bin'], ['PATH=/bin'], ['PATH=/usr/bin:/bin'], ['PATH=/app/bin:/bin']],
    ['the app’s own key kept, after the base’s', ['APP=1', 'PATH=/bin'], ['PATH=/bin'], ['PATH=/bin', 'NEW=x'], ['PATH=/bin', 'NEW=x', 'APP=1']],
    ['a key the new base dropped and the app left alone goes', ['PATH=/bin', 'OLD=1'], ['PATH=/bin', 'OLD=1'], ['PATH=/bin'], ['PATH=/bin']],
    ['a key the new base dropped but the app set stays', ['PATH=/bin', 'OLD=2'], ['PATH=/bin', 'OLD=1'], ['PATH=/bin'], ['PATH=/bin', 'OLD=2']],
    ['no env anywhere', undefined, undefined, undefined, undefined],
    ['a value with =', ['A=b=c'], [], [], ['A=b=c']],
  ])('%s', (_, image, old, nu, want) => expect(rebaseEnv(image, old, nu)).toEqual(want));
});

describe('rebaseContainerConfig: each field by the three-way rule', () => {
  const oldBase: ContainerConfig = { User: 'root', WorkingDir: '/', Cmd: ['jshell'], Labels: { os: '22.04', vendor: 'x' }, ExposedPorts: { '22/tcp': {} }, StopSignal: 'SIGTERM' };
  const newBase: ContainerConfig = { User: 'root', WorkingDir: '/', Cmd: ['jshell', '-q'], Labels: { os: '22.04.5', vendor: 'x' }, StopSignal: 'SIGQUIT', OnBuild: ['RUN x'] };
  it.each<[string, ContainerConfig, ContainerConfig]>([
    ['nothing set by the app: all the new base’s (ONBUILD never inherited)', { ...oldBase }, { User: 'root', WorkingDir: '/', Cmd: ['jshell', '-q'], Labels: { os: '22.04.5', vendor: 'x' }, StopSignal: 'SIGQUIT' }],
    [
      'the app’s User, WorkingDir, Entrypoint, label and port stay; the rest follows',
      { ...oldBase, User: 'app', WorkingDir: '/app', Entrypoint: ['java'], Cmd: undefined, Labels: { os: '22.04', vendor: 'x', 'org.opencontainers.image.version': '1.0' }, ExposedPorts: { '22/tcp': {}, '8080/tcp': {} } },
      { User: 'app', WorkingDir: '/app', Entrypoint: ['java'], Labels: { os: '22.04.5', vendor: 'x', 'org.opencontainers.image.version': '1.0' }, ExposedPorts: { '8080/tcp': {} }, StopSignal: 'SIGQUIT' },
    ],
    ['an ENTRYPOINT that dropped the inherited CMD keeps it dropped', { ...oldBase, Cmd: undefined, Entrypoint: ['x'] }, { User: 'root', WorkingDir: '/', Entrypoint: ['x'], Labels: { os: '22.04.5', vendor: 'x' }, StopSignal: 'SIGQUIT' }],
  ])('%s', (_, image, want) => {
    const clean = JSON.parse(JSON.stringify(image)) as ContainerConfig;
    expect(rebaseContainerConfig(clean, oldBase, newBase)).toEqual(want);
  });
});
