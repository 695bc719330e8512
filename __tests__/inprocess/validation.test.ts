import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchEvent, tagEvent } from '../support/events.ts';
import { ROOT } from '../support/runner.ts';
import { SHADED, workspace } from '../support/services.ts';
import { fakeBuilders, type FakeBuilds } from './support/builder.ts';
import { login, PASSWORD, startRegistry, USER } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

let reg: MemoryRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg.stop());

/** Refused with an error naming `input`: no login, no Java build, no image build, no write to the registry. */
function expectRefusedBeforeAnything(run: InProcessRun, input: string, calls: FakeBuilds, writesBefore: number): void {
  expect(run.error, run.log).toMatch(new RegExp(`^Input '${input}':`));
  expect(run.log).not.toContain('::group::Log in');
  expect(run.log).not.toContain('::group::Java build');
  expect(run.log).not.toContain('::group::Build the image');
  expect(calls.kinds).toEqual([]);
  expect(reg.requests.slice(writesBefore).filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  expect(run.postError).toBeUndefined();
}

describe('inputs refused before any side effect', () => {
  const cases: [string, string, () => Record<string, string>, string][] = [
    ['platforms: linux/foo', 'platforms', () => ({ ...login(reg), platforms: 'linux/amd64,linux/foo' }), '"linux/foo" is not a platform'],
    ['registry: ../../../etc/x with a CA', 'registry', () => ({ ...login(reg), registry: '../../../etc/x', 'registry-ca': readFileSync(path.join(ROOT, '__tests__/fixtures/test-ca.pem'), 'utf8') }), '"../../../etc/x" is not a registry'],
    ['a registry-auth entry --config=/tmp/x', 'registry-auth', () => ({ 'registry-auth': `- registry: --config=/tmp/x\n  username: ${USER}\n  password: ${PASSWORD}\n` }), '"--config=/tmp/x" is not a registry'],
    ['labels: =novalue', 'labels', () => ({ ...login(reg), labels: 'org.acme.team=core\n=novalue' }), 'line 2 "=novalue" has no key'],
    ['a target the Dockerfile does not have', 'target', () => ({ ...login(reg), target: 'runtime' }), '"runtime" is not a stage of Dockerfile'],
    ['network: bridge', 'network', () => ({ ...login(reg), network: 'bridge' }), 'is not a network mode'],
    ['file: ../../../etc/passwd', 'file', () => ({ ...login(reg), file: '../../../../../../etc/passwd' }), 'lies outside the workspace'],
    ['an artifact outside the context', 'artifact', () => ({ ...login(reg), context: 'docker', artifact: 'target/*.jar' }), 'points outside the build context'],
    ['an image whose registry asks for credentials and has no login', 'images', () => ({}), 'asks for credentials, and there is no login for it'],
    ['a two-line value in the one-line secrets form', 'secrets', () => ({ ...login(reg), secrets: 'tok=first-SECRETLINE-1\nsecond-SECRETLINE-2' }), 'line 2 is not id=value'],
  ];

  it.each(cases)('%s', async (_, input, inputs, message) => {
    const ws = workspace(SHADED);
    mkdirSync(path.join(ws.dir, 'docker'));
    copyFileSync(path.join(ws.dir, 'Dockerfile'), path.join(ws.dir, 'docker/Dockerfile'));
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const before = reg.requests.length;
    const run = await runInProcess({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), inputs: { images: `${reg.host}/acme/refused`, ...inputs() }, builders: fakeBuilders(calls) });
    expectRefusedBeforeAnything(run, input, calls, before);
    expect(run.error).toContain(message);
    expect(existsSync('/etc/x')).toBe(false);
    expect(run.everything).not.toContain('root:x:0:0');
    expect(run.everything).not.toContain('SECRETLINE');
    expect(run.everything).not.toContain(PASSWORD);
  });

  it('push: true with no tag for a branch push fails, naming the ref and the rules', async () => {
    const ws = workspace(SHADED);
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const before = reg.requests.length;
    const run = await runInProcess({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: { images: `${reg.host}/acme/notag`, ...login(reg), tags: 'type=semver,pattern={{version}}' }, builders: fakeBuilders(calls) });
    expectRefusedBeforeAnything(run, 'tags', calls, before);
    expect(run.error).toContain('no tag results for refs/heads/main from the rules type=semver,pattern={{version}}');
  });
});

describe('push: auto with no tag', () => {
  it('builds, pushes nothing, and says why in a notice', async () => {
    const ws = workspace(SHADED);
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const run = await runInProcess({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      // no build tool in this tier: the Dockerfile is told which file to take; `native`, as auto would take the engine
      inputs: { images: `${reg.host}/acme/autopush`, ...login(reg), tags: 'type=semver,pattern={{version}}', push: 'auto', 'java-tool': 'none', 'build-args': 'JAR_FILE=pom.xml', builder: 'native' },
      builders: fakeBuilders(calls),
    });
    expect(run.error, run.log).toBeUndefined();
    expect(run.log).toContain('::notice::No tag results for refs/heads/main from the rules type=semver,pattern={{version}}: the image is built but not pushed (push: auto).');
    expect(calls.kinds).toEqual(['native']);
    expect(run.outputs.pushed).toBe('false');
    expect(run.outputs.digest).toBe('');
    expect(run.outputs['image-id']).toMatch(/^sha256:/);
    expect(reg.tags('acme/autopush')).toEqual([]);
    expect(run.summary).toContain('## image-publish built');
  });
});
