import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { basicAuth, configKeyRegistry, dockerOnlyCredentials, helperFor, holdsCredentials, parseAuth, parseDockerConfig, readDockerConfig, userDockerConfigDir } from '../../../src/engine/docker-config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const config = (doc: unknown) => parseDockerConfig(typeof doc === 'string' ? doc : JSON.stringify(doc), '/home/runner/.docker');

describe('where the docker config is', () => {
  it('is DOCKER_CONFIG, else ~/.docker', () => {
    expect(userDockerConfigDir({ DOCKER_CONFIG: '/cfg' })).toBe('/cfg');
    expect(userDockerConfigDir({})).toBe(path.join(os.homedir(), '.docker'));
    expect(userDockerConfigDir({ DOCKER_CONFIG: '' })).toBe(path.join(os.homedir(), '.docker'));
  });
});

describe('an auths entry', () => {
  it.each([
    [{ auth: b64('user:pa:ss') }, { username: 'user', password: 'pa:ss' }],
    [{ username: 'u', password: 'p' }, { username: 'u', password: 'p' }],
    [{ auth: b64('nocolon'), username: 'u', password: 'p' }, { username: 'u', password: 'p' }],
    [{ auth: b64('user:') }, {}],
    [{ auth: b64(':pw') }, {}],
    [{ auth: '' }, {}],
    [{ identitytoken: 'refresh' }, { identityToken: 'refresh' }],
    [{ registrytoken: 'bearer' }, { registryToken: 'bearer' }],
    [{ auth: b64('u:p'), identitytoken: 'refresh' }, { username: 'u', password: 'p', identityToken: 'refresh' }],
    [{ username: 1, password: true }, {}],
    [{}, {}],
    [undefined, {}],
    ['text', {}],
  ])('%j', (entry, want) => expect(JSON.parse(JSON.stringify(parseAuth(entry)))).toEqual(want));

  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://ghcr.io', 'ghcr.io'],
    ['GHCR.io', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['https://registry.example.com/some/path', 'registry.example.com'],
  ])('the key %s names %s', (key, registry) => {
    expect(configKeyRegistry(key)).toBe(registry);
    expect(basicAuth(config({ auths: { [key]: { auth: b64('a:b') } } }), registry)).toEqual({ username: 'a', password: 'b' });
    expect(basicAuth(config({ auths: { [key]: { auth: b64('a:b') } } }), 'other.test')).toBeUndefined();
  });
});

describe('the questions the run asks of the config', () => {
  const doc = {
    auths: {
      'https://index.docker.io/v1/': {},
      'docker.io': { auth: b64('hub:hub-pw') },
      'ghcr.io': { identitytoken: 'refresh' },
      'quay.io': { registrytoken: 'bearer' },
      'store.test': {},
    },
    credHelpers: { 'gcr.io': 'gcloud', 'https://index.docker.io/v1/': 'hubhelper', 'bad.test': 1 },
    credsStore: 'desktop',
  };
  const c = config(doc);

  it.each([
    // registry, basic credentials, helper, holds credentials, docker-only credentials
    ['docker.io', { username: 'hub', password: 'hub-pw' }, 'hubhelper', true, true],
    ['ghcr.io', undefined, undefined, true, true],
    ['quay.io', undefined, undefined, true, true],
    ['gcr.io', undefined, 'gcloud', true, true],
    ['store.test', undefined, undefined, true, true],
    ['bad.test', undefined, undefined, true, false],
    ['elsewhere.test', undefined, undefined, true, false],
  ])('%s', (registry, basic, helper, holds, dockerOnly) => {
    expect(basicAuth(c, registry)).toEqual(basic);
    expect(helperFor(c, registry)).toBe(helper);
    expect(holdsCredentials(c, registry)).toBe(holds);
    expect(dockerOnlyCredentials(c, registry)).toBe(dockerOnly);
  });

  it('without a store, only what the file names holds credentials, and a bare entry is docker-only only with a store', () => {
    const plain = config({ auths: { 'a.io': {}, 'b.io': { auth: b64('u:p') } }, credHelpers: { 'c.io': 'pass' } });
    expect(['a.io', 'b.io', 'c.io', 'd.io'].map((r) => holdsCredentials(plain, r))).toEqual([true, true, true, false]);
    expect(['a.io', 'b.io', 'c.io', 'd.io'].map((r) => dockerOnlyCredentials(plain, r))).toEqual([false, false, true, false]);
  });
});

describe('reading the file', () => {
  const dirWith = (content?: string): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-dcfg-'));
    if (content !== undefined) writeFileSync(path.join(dir, 'config.json'), content);
    return dir;
  };

  it('a missing file is an empty config, without a problem', () => {
    const c = readDockerConfig(dirWith());
    expect([c.auths.size, c.credHelpers.size, c.credsStore, c.problem]).toEqual([0, 0, undefined, undefined]);
  });

  it.each([
    ['{ not json', /not JSON/],
    ['[]', /not a JSON object/],
    ['null', /not a JSON object/],
    ['"text"', /not a JSON object/],
  ])('%s is an empty config that says why: %s', (content, why) => {
    const c = readDockerConfig(dirWith(content));
    expect(c.auths.size + c.credHelpers.size).toBe(0);
    expect(c.problem).toMatch(why);
  });

  it('wrong shapes inside a valid file are left out, not fatal', () => {
    const c = readDockerConfig(dirWith(JSON.stringify({ auths: 'x', credHelpers: ['y'], credsStore: 5 })));
    expect([c.auths.size, c.credHelpers.size, c.credsStore, c.problem]).toEqual([0, 0, undefined, undefined]);
  });

  it('a file it may not read is an empty config that says why', () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const dir = dirWith('{}');
    chmodSync(path.join(dir, 'config.json'), 0o000);
    expect(readDockerConfig(dir).problem).toMatch(/cannot be read/);
  });

  it('remembers the folder it read, for docker to run with', () => {
    const dir = dirWith('{}');
    mkdirSync(path.join(dir, 'sub'));
    expect(readDockerConfig(dir).dir).toBe(dir);
  });
});
