import { describe, expect, it } from 'vitest';
import { readState, saveState, type PostState } from '../../src/state.js';
import { checkCache, checkDaemon, checkDockerConfig, checkTrust, type StateFacts } from '../../src/state-check.js';

const facts: StateFacts = { runnerTemp: '/home/runner/work/_temp', certsDir: '/etc/docker/certs.d', daemonFile: '/etc/docker/daemon.json' };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
const OWN = 'image-publish-1001-0123456789abcdef.crt';

function store(raw?: string): { save(k: string, v: string): void; get(k: string): string } {
  const m = new Map<string, string>(raw === undefined ? [] : [['image-publish', raw]]);
  return { save: (k, v) => m.set(k, v), get: (k) => m.get(k) ?? '' };
}

describe('post state', () => {
  it('round-trips what main writes', () => {
    const s = store();
    const state: PostState = {
      dockerConfig: '/home/runner/work/_temp/image-publish-docker-Ab12Cd',
      registries: ['ghcr.io', '127.0.0.1:5000', '[::1]:5001'],
      cache: { write: true, artifact: { key: 'image-publish-jar-linux-x64-abc', path: '/home/runner/work/_temp/image-publish-artifact', hit: 'miss', staged: true }, dependencies: { key: 'image-publish-linux-x64-maven-0f', paths: ['/home/runner/.m2/repository'], hit: 'partial' }, layers: { key: 'image-publish-layers-linux-x64-1-abc', path: '/home/runner/work/_temp/image-publish-layers/cache', hit: 'miss', exported: true }, layerExport: 'max' },
      trust: [{ file: `/etc/docker/certs.d/registry.example.com:5443/${OWN}`, written: PEM, createdDir: true }],
      daemonConfig: { file: '/etc/docker/daemon.json', added: ['10.0.0.5:5000'], created: false },
      succeeded: true,
    };
    saveState(s, state);
    expect(readState(s, facts)).toEqual({ state, refused: [] });
  });

  it.each([
    ['nothing', undefined, []],
    ['not JSON', '{not json', ['the state is not JSON']],
    ['not an object', '["a"]', ['the state is not a JSON object']],
    ['an unknown field', '{"registries":[],"rm":"/"}', ['unknown field "rm"']],
  ])('%s: nothing is acted on', (_, raw, refused) => {
    expect(readState(store(raw), facts)).toEqual({ state: { registries: [], ...(raw?.startsWith('{"') ? { succeeded: false } : {}) }, refused });
  });

  it('refuses a part and keeps the rest', () => {
    const r = readState(store(JSON.stringify({ dockerConfig: '/home/runner/victim', registries: ['ghcr.io', '--help', 7], succeeded: 'yes' })), facts);
    expect(r.state).toEqual({ registries: ['ghcr.io'], succeeded: false });
    expect(r.refused).toEqual([
      'dockerConfig: "/home/runner/victim" is not a folder image-publish-docker-XXXXXX directly in RUNNER_TEMP (/home/runner/work/_temp)',
      'registries: "--help" is not a registry host',
      'registries: 7 is not a registry host',
      'succeeded: not true or false',
    ]);
  });
});

describe('the docker config post deletes', () => {
  it.each([
    ['/home/runner/work/_temp/image-publish-docker-Ab12Cd', true],
    ['/home/runner/work/_temp/image-publish-docker-Ab12Cd/..', false],
    ['/home/runner/work/_temp/../image-publish-docker-Ab12Cd', false],
    ['/home/runner/work/_temp/x/image-publish-docker-Ab12Cd', false],
    ['/home/runner/work/_temp/image-publish-layers', false],
    ['/home/runner/work/_temp', false],
    ['/home/runner', false],
    ['image-publish-docker-Ab12Cd', false],
    ['/tmp/image-publish-docker-Ab12Cd', false],
    [42, false],
  ])('%s: %s', (p, ok) => expect('value' in checkDockerConfig(p, facts)).toBe(ok));
});

describe("the CA files post removes: only one of the action's own, never the user's ca.crt", () => {
  it.each([
    [{ file: `/etc/docker/certs.d/ghcr.io/${OWN}`, written: PEM }, true],
    [{ file: `/etc/docker/certs.d/[::1]:5001/${OWN}`, written: PEM, createdDir: true }, true],
    [{ file: '/etc/docker/certs.d/ghcr.io/image-publish-0-ffffffffffffffff.crt', written: PEM, createdDir: false }, true],
    [{ file: '/etc/docker/certs.d/ghcr.io/ca.crt', written: PEM }, false],
    [{ file: '/etc/docker/certs.d/ghcr.io/image-publish-1001-0123456789ABCDEF.crt', written: PEM }, false],
    [{ file: '/etc/docker/certs.d/ghcr.io/image-publish-1001-0123456789abcde.crt', written: PEM }, false],
    [{ file: '/etc/docker/certs.d/ghcr.io/image-publish-x-0123456789abcdef.crt', written: PEM }, false],
    [{ file: '/etc/docker/certs.d/ghcr.io/image-publish-1001-0123456789abcdef.cert', written: PEM }, false],
    [{ file: '/etc/docker/certs.d/ghcr.io/image-publish-1001-0123456789abcdef.key', written: PEM }, false],
    [{ file: `/etc/docker/certs.d/ghcr.io/sub/${OWN}`, written: PEM }, false],
    [{ file: `/etc/docker/certs.d/ghcr.io/../ghcr.io/${OWN}`, written: PEM }, false],
    [{ file: `/etc/docker/certs.d/${OWN}`, written: PEM }, false],
    [{ file: `/etc/docker/certs.d/not a host/${OWN}`, written: PEM }, false],
    [{ file: `/tmp/certs.d/ghcr.io/${OWN}`, written: PEM }, false],
    [{ file: `etc/docker/certs.d/ghcr.io/${OWN}`, written: PEM }, false],
    [{ file: '/etc/docker/certs.d/ghcr.io/../../../passwd', written: PEM }, false],
    [{ file: '/etc/ld.so.preload', written: PEM }, false],
    [{ file: `/etc/docker/certs.d/ghcr.io/${OWN}` }, false],
    [{ file: `/etc/docker/certs.d/ghcr.io/${OWN}`, written: '/tmp/evil.so\n' }, false],
    [{ file: `/etc/docker/certs.d/ghcr.io/${OWN}`, written: PEM, previous: PEM }, false],
    [{ file: `/etc/docker/certs.d/ghcr.io/${OWN}`, written: PEM, createdDir: 'yes' }, false],
  ])('%j: %s', (t, ok) => expect('value' in checkTrust(t, facts)).toBe(ok));

  it('says why, naming the shape it accepts', () => {
    expect(checkTrust({ file: '/etc/docker/certs.d/ghcr.io/ca.crt', written: PEM }, facts)).toEqual({ why: '"/etc/docker/certs.d/ghcr.io/ca.crt" is not /etc/docker/certs.d/<registry>/image-publish-<run id>-<random>.crt' });
    expect(checkTrust({ file: `/etc/docker/certs.d/ghcr.io/${OWN}`, written: PEM, previous: PEM }, facts)).toEqual({ why: `/etc/docker/certs.d/ghcr.io/${OWN}: unknown field "previous"` });
  });
});

describe('the daemon.json entries post takes out', () => {
  it.each([
    [{ file: '/etc/docker/daemon.json', added: ['10.0.0.5:5000'] }, facts, true],
    [{ file: '/home/runner/.bashrc', added: ['x'] }, facts, false],
    [{ file: '/etc/docker/daemon.json', added: ['not a host!'] }, facts, false],
    [{ file: '/etc/docker/daemon.json', added: ['10.0.0.5:5000'] }, { ...facts, daemonFile: undefined }, false],
  ])('%j: %s', (d, f, ok) => expect('value' in checkDaemon(d, f)).toBe(ok));
});

describe('the caches post saves', () => {
  const dep = (paths: unknown, key = 'image-publish-linux-x64-maven-0f'): unknown => ({ write: true, dependencies: { key, paths, hit: 'miss' } });
  it.each([
    [dep(['/home/runner/.m2/repository']), true],
    [dep(['/home/runner/.gradle/caches/modules-2', '/home/runner/.gradle/wrapper/dists']), true],
    [dep(['/home/runner/.gradle/caches', '/home/runner/.gradle/wrapper', '!/home/runner/.gradle/caches/**/*.lock', '!/home/runner/.gradle/caches/**/gc.properties']), true],
    [dep(['!/home/runner/.gradle/caches/**/*.lock']), false],
    [dep(['/home/runner/**']), false],
    [dep(['!relative/**']), false],
    [dep(['/']), false],
    [dep(['relative/path']), false],
    [dep(['/home/runner/.m2/../.ssh']), false],
    [dep(['/home/runner/.m2/repository'], 'someone-else-key'), false],
    [{ write: true, artifact: { key: 'image-publish-jar-x', path: '/home/runner', hit: 'miss', staged: true } }, false],
    [{ write: true, layers: { key: 'image-publish-layers-x', path: '/home/runner/work/_temp/image-publish-layers/cache', hit: 'bogus', exported: true } }, false],
    [{ write: true, nativeLayers: { key: 'image-publish-native-layers-linux-x64-z-', path: '/home/runner/work/_temp/image-publish-layer-digests', hit: 'partial', save: 'image-publish-native-layers-linux-x64-z-0f' } }, true],
    [{ write: true, nativeLayers: { key: 'image-publish-native-layers-linux-x64-z-', path: '/home/runner/work/_temp/image-publish-layer-digests', hit: 'miss' } }, true],
    [{ write: true, nativeLayers: { key: 'image-publish-native-layers-x', path: '/home/runner/.ssh', hit: 'miss' } }, false],
    [{ write: true, nativeLayers: { key: 'image-publish-native-layers-x', path: '/home/runner/work/_temp/image-publish-layer-digests', hit: 'miss', save: 'someone-else-key' } }, false],
    [{ write: true, nativeLayers: { key: 'image-publish-native-layers-x', path: '/home/runner/work/_temp/image-publish-layer-digests', hit: 'miss', save: 7 } }, false],
    [{ write: true, record: { key: 'image-publish-image-linux-x64-0f', path: '/home/runner/work/_temp/image-publish-record', hit: 'miss', save: true } }, true],
    [{ write: true, record: { key: 'image-publish-image-linux-x64-0f', path: '/home/runner/work/_temp/image-publish-record', hit: 'exact' } }, true],
    [{ write: true, record: { key: 'image-publish-image-linux-x64-0f', path: '/home/runner/.m2', hit: 'miss', save: true } }, false],
    [{ write: true, record: { key: 'image-publish-image-linux-x64-0f', path: '/home/runner/work/_temp/image-publish-record', hit: 'miss', save: 'yes' } }, false],
    [{ write: true, record: { key: 'someone-else', path: '/home/runner/work/_temp/image-publish-record', hit: 'miss' } }, false],
    [{ write: 'true' }, false],
  ])('%j: %s', (c, ok) => expect('value' in checkCache(c, facts)).toBe(ok));
});
