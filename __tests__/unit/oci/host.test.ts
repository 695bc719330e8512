import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../../src/oci/host.js';
import { isRegistryHost } from '../../../src/oci/name.js';
import { caFile } from '../../../src/engine/trust.js';
import { addInsecure } from '../../../src/engine/insecure.js';
import { parseRegistryAuth, singleLogin } from '../../../src/inputs/registry-auth.js';

const D = { actor: 'octocat', token: '' };

describe('isRegistryHost', () => {
  it.each(['ghcr.io', 'localhost', 'localhost:5000', '127.0.0.1:5000', 'registry.image-publish.test:5443', '[::1]:5001', '[fd00::5]', 'a-b.c-d.io', 'REG.example.com'])('takes %s', (h) => expect(isRegistryHost(h)).toBe(true));
  it.each(['', '..', '../../../etc/x', '--config=/tmp/x', '-x', 'ghcr.io/acme', 'a..b', '-a.io', 'a-.io', 'host:0', 'host:65536', 'host:', '[::1', '[nope]:5000', 'a b', 'a_b.io', 'ghcr.io:5000:1', '/etc'])('refuses %j', (h) =>
    expect(isRegistryHost(h)).toBe(false),
  );
});

describe('parseRegistry', () => {
  it.each([
    ['', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['GHCR.io', 'ghcr.io'],
    ['[::1]:5001', '[::1]:5001'],
    ['http://127.0.0.1:5000/', '127.0.0.1:5000'],
  ])('%j -> %s, no warning', (raw, want) => {
    const warnings: string[] = [];
    expect(parseRegistry(raw, 'registry', (m) => warnings.push(m))).toBe(want);
    expect(warnings).toEqual([]);
  });

  it('drops a path with a warning that names the input', () => {
    const warnings: string[] = [];
    expect(parseRegistry('ghcr.io/acme/app', 'registry', (m) => warnings.push(m))).toBe('ghcr.io');
    expect(warnings).toEqual([`Input 'registry': "ghcr.io/acme/app" has a path; a login holds for the whole registry, so ghcr.io is used and "/acme/app" is ignored.`]);
  });

  it.each(['../../../etc/x', '--config=/tmp/x', '/etc/x', 'a b', 'host:99999', '$(id)'])('refuses %j, naming the input', (raw) => {
    expect(() => parseRegistry(raw, 'registry')).toThrow(`Input 'registry': "${raw}" is not a registry`);
  });
});

describe('every place a registry name is used', () => {
  it('registry and registry-auth refuse a path-like or flag-like name before anything happens', () => {
    expect(() => singleLogin('../../../etc/x', 'u', 'p', '', D)).toThrow(`Input 'registry': "../../../etc/x" is not a registry`);
    expect(() => parseRegistryAuth('- registry: --config=/tmp/x\n  username: u\n  password: p\n', D)).toThrow(`Input 'registry-auth': "--config=/tmp/x" is not a registry`);
  });
  it('the engine files refuse a name that is not a host', () => {
    expect(caFile('/etc/docker/certs.d', '127.0.0.1:5000', 'x.crt')).toBe('/etc/docker/certs.d/127.0.0.1:5000/x.crt');
    expect(() => caFile('/etc/docker/certs.d', '../../x', 'x.crt')).toThrow('is not a registry host');
    expect(() => addInsecure('{}', ['../x'])).toThrow('is not a registry host');
  });
});
