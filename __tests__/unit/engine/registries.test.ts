import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forkPullRequest } from '../../../src/github.js';
import { parseInputs } from '../../../src/inputs/inputs.js';
import { checkPem, parseRegistryAuth, secretLookingArgs, singleLogin } from '../../../src/inputs/registry-auth.js';
import { addInsecure, insecureList, removeInsecure } from '../../../src/engine/insecure.js';
import { caFile, caFileName } from '../../../src/engine/trust.js';
import { ROOT } from '../../support/runner.ts';

const PEM = readFileSync(path.join(ROOT, '__tests__/fixtures/test-ca.pem'), 'utf8');
const defaults = { actor: 'octocat', token: 'ghs_token' };
const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('registry-auth', () => {
  it('reads a login-action list, with Docker Hub aliases, a CA and ghcr.io defaults', () => {
    const yaml = `- username: hubuser\n  password: hubpass\n- registry: registry-1.docker.io/\n  username: x\n  password: y\n`;
    expect(() => parseRegistryAuth(yaml, defaults)).toThrow('lists docker.io twice');
    const ok = `- registry: ghcr.io\n- registry: 127.0.0.1:5000\n  username: u\n  password: p\n  ca: |\n${PEM.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
    const logins = parseRegistryAuth(ok, defaults);
    expect(logins.map((l) => [l.registry, l.username, l.password, Boolean(l.ca)])).toEqual([
      ['ghcr.io', 'octocat', 'ghs_token', false],
      ['127.0.0.1:5000', 'u', 'p', true],
    ]);
  });

  it.each([
    ['- registry: a.io\n  username: [u\n', "Input 'registry-auth': is not valid YAML"],
    ['registry: a.io', "Input 'registry-auth': must be a YAML list"],
    ['- just-a-string', "Input 'registry-auth': entry 1 is not a mapping"],
    ['- registry: a.io\n  password: p', "Input 'registry-auth': entry 1 (a.io) has no username"],
    ['- registry: a.io\n  username: u', "Input 'registry-auth': entry 1 (a.io) has no password"],
    ['- registry: a.io\n  username: u\n  password: p\n  token: t', "Input 'registry-auth': entry 1 has unknown key(s) token"],
    ['- registry: a.io\n  username: u\n  password: p\n  ca: not a cert', "Input 'registry-auth': is not a PEM certificate"],
  ])('refuses %j', (yaml, message) => {
    expect(() => parseRegistryAuth(yaml, defaults)).toThrow(message);
  });

  it('ghcr.io without a token is an error naming the fix', () => {
    expect(() => parseRegistryAuth('- registry: ghcr.io', { actor: 'a', token: '' })).toThrow("Input 'registry-auth': ghcr.io needs a token");
  });

  it('cannot be combined with the single-registry inputs', () => {
    expect(() => parseInputs(reader({ images: 'a/b', 'registry-auth': '- registry: x.io', username: 'u' }), '/ws')).toThrow(
      "Input 'registry-auth': cannot be combined with `username`",
    );
  });
});

describe('single registry', () => {
  it('logs in only with credentials, and to ghcr.io with the token', () => {
    expect(singleLogin('', '', '', '', defaults)).toEqual([]);
    expect(singleLogin('ghcr.io', '', '', '', defaults)).toEqual([{ registry: 'ghcr.io', username: 'octocat', password: 'ghs_token', ca: undefined }]);
    expect(singleLogin('index.docker.io', 'u', 'p', '', defaults)[0].registry).toBe('docker.io');
  });

  it('checks registry-ca', () => {
    expect(() => singleLogin('r.io', 'u', 'p', 'garbage', defaults)).toThrow("Input 'registry-ca': is not a PEM certificate");
    expect(() => singleLogin('r.io', 'u', 'p', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', defaults)).toThrow("Input 'registry-ca': holds a PEM block that is not a valid X.509 certificate");
    expect(checkPem('registry-ca', `junk before\n${PEM}`)).toBe(`${PEM.trim()}\n`);
  });
});

describe('other registry inputs', () => {
  it.each([
    [{ retries: '-1' }, "Input 'retries': \"-1\" is not a whole number from 0 to 10."],
    [{ retries: '11' }, "Input 'retries'"],
    [{ 'insecure-registries': 'http://x.io' }, "Input 'insecure-registries': \"http://x.io\" is not a host or host:port (no scheme, no path)"],
    [{ 'pr-sha': 'tip' }, "Input 'pr-sha': \"tip\" is not one of merge, head."],
    [{ 'cache-write': 'yes' }, "Input 'cache-write'"],
    [{ provenance: 'always' }, "Input 'provenance'"],
  ])('refuses %j', (values, message) => {
    expect(() => parseInputs(reader({ images: 'a/b', ...values }), '/ws')).toThrow(message);
  });

  it('reads retries and insecure registries', () => {
    const i = parseInputs(reader({ images: 'a/b', retries: '0', 'insecure-registries': 'reg.corp:5000, [::1]:5001' }), '/ws');
    expect(i.retries).toBe(0);
    expect(i.insecureRegistries).toEqual(['reg.corp:5000', '[::1]:5001']);
  });

  it('ignores credentials on a fork pull request', () => {
    expect(parseInputs(reader({ images: 'a/b', username: 'u' }), '/ws', { actor: 'a', fork: true }).logins).toEqual([]);
    expect(() => parseInputs(reader({ images: 'a/b', username: 'u' }), '/ws', { actor: 'a', fork: false })).toThrow("Input 'password'");
  });
});

describe('fork pull requests', () => {
  const pr = (head: string | null, base = 'acme/app') => ({ pull_request: { head: { repo: head === null ? null : { full_name: head } }, base: { repo: { full_name: base } } } });
  it.each([
    ['pull_request', pr('someone/app'), 'someone/app'],
    ['pull_request', pr('acme/app'), undefined],
    ['pull_request', pr(null), 'a deleted fork'],
    ['pull_request_target', pr('someone/app'), undefined],
    ['push', {}, undefined],
  ])('%s %j -> %s', (event, payload, want) => expect(forkPullRequest(event, payload)).toBe(want));
});

describe('engine settings', () => {
  it('adds insecure registries to daemon.json, keeps the rest, and says which were new', () => {
    const added = addInsecure('{"features":{"containerd-snapshotter":true},"insecure-registries":["a:1"]}', ['b:2', 'a:1']);
    expect(JSON.parse(added.text)).toEqual({ features: { 'containerd-snapshotter': true }, 'insecure-registries': ['a:1', 'b:2'] });
    expect(added.added).toEqual(['b:2']);
    expect(addInsecure(undefined, ['b:2'])).toEqual({ text: '{\n  "insecure-registries": [\n    "b:2"\n  ]\n}\n', added: ['b:2'] });
    expect(() => addInsecure('[1]', ['b'])).toThrow('is not a JSON object');
    expect(insecureList('{"insecure-registries":["a:1"]}')).toEqual(['a:1']);
    expect(insecureList(undefined)).toEqual([]);
    expect(insecureList('not json')).toEqual([]);
  });

  const start = '{"features":{"containerd-snapshotter":true}}\n';
  const pretty = '{\n    "debug": true\n}';
  it.each([
    // [daemon.json now, this job added, keepEmpty, expected]
    ['{"features":{"containerd-snapshotter":true},"insecure-registries":["a:1"]}\n', ['a:1'], false, start],
    ['{"features":{"containerd-snapshotter":true},"insecure-registries":["a:1"]}\n', ['a:1'], true, '{"features":{"containerd-snapshotter":true},"insecure-registries":[]}\n'],
    // another job's entry stays, whatever order the posts run in
    ['{"features":{"containerd-snapshotter":true},"insecure-registries":["a:1","b:2"]}\n', ['a:1'], false, '{"features":{"containerd-snapshotter":true},"insecure-registries":["b:2"]}\n'],
    ['{"features":{"containerd-snapshotter":true},"insecure-registries":["a:1","b:2"]}\n', ['b:2'], true, '{"features":{"containerd-snapshotter":true},"insecure-registries":["a:1"]}\n'],
    // what was there before the job is not the job's to take
    ['{"insecure-registries":["old:1","a:1"]}', ['a:1'], false, '{"insecure-registries":["old:1"]}'],
    // formatting is kept, so a round trip gives the same bytes
    ['{\n    "debug": true,\n    "insecure-registries": [\n        "a:1"\n    ]\n}', ['a:1'], false, pretty],
    // nothing left: an empty object (only a file the job created is removed, by the caller)
    ['{"insecure-registries":["a:1"]}', ['a:1'], false, '{}'],
    ['{}\n', [], false, '{}\n'],
    ['{"insecure-registries":["a:1"]}', ['a:1'], true, '{"insecure-registries":[]}'],
    [undefined, ['a:1'], false, undefined],
  ] as const)('takes out exactly what this job added: %s less %j', (now, added, keepEmpty, want) => {
    expect(removeInsecure(now, added, keepEmpty)).toBe(want);
  });

  it('interleaved jobs end where they started', () => {
    const a = addInsecure(start, ['a:1']);
    const b = addInsecure(a.text, ['b:2', 'a:1']);
    expect(b.added).toEqual(['b:2']);
    const afterA = removeInsecure(b.text, a.added);
    expect(insecureList(afterA)).toEqual(['b:2']);
    expect(removeInsecure(afterA, b.added)).toBe(start);
    expect(removeInsecure(addInsecure(pretty, ['x:1']).text, ['x:1'])).toBe(pretty);
  });

  it("puts a CA where the engine looks for it, in a file of the run's own", () => {
    expect(caFile('/etc/docker/certs.d', '[::1]:5443', caFileName(1001, '0123456789abcdef'))).toBe('/etc/docker/certs.d/[::1]:5443/image-publish-1001-0123456789abcdef.crt');
  });

  it('warns about build args that look like secrets', () => {
    expect(secretLookingArgs([['NPM_TOKEN', 'x'], ['VERSION', '1'], ['db_password', 'y'], ['API_KEY', 'z']])).toEqual(['NPM_TOKEN', 'db_password', 'API_KEY']);
  });
});
