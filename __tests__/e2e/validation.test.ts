import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { branchEvent, tagEvent } from '../support/events.ts';
import { ROOT, runAction, type ActionRun } from '../support/runner.ts';
import { docker, registryTags, services, SHADED, uniqueRepo, workspace, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const login = (): Record<string, string> => ({ registry: s.registry, username: s.user, password: s.password });

/** Refused with an error naming `input`: no login, no Java build, no image build, nothing in the registry. */
async function expectRefusedBeforeAnything(run: ActionRun, input: string, repo: string): Promise<void> {
  expect(run.main.code, run.main.log).not.toBe(0);
  expect(run.main.log).toContain(`::error::Input '${input}':`);
  expect(run.main.log).not.toContain('::group::Log in');
  expect(run.main.log).not.toContain('::group::Java build');
  expect(run.main.log).not.toMatch(/\[INFO\]|BUILD SUCCESS/);
  expect(run.main.log).not.toContain('[command]docker');
  expect(await registryTags(s, repo)).toEqual([]);
  expect(run.post.code, run.post.log).toBe(0);
}

describe('inputs refused before any side effect', () => {
  const cases: [string, string, (ws: string) => Record<string, string>, string?][] = [
    ['platforms: linux/foo', 'platforms', () => ({ ...login(), platforms: 'linux/amd64,linux/foo' }), '"linux/foo" is not a platform'],
    ['registry: ../../../etc/x with a CA', 'registry', () => ({ ...login(), registry: '../../../etc/x', 'registry-ca': readFileSync(path.join(ROOT, '__tests__/fixtures/test-ca.pem'), 'utf8') }), '"../../../etc/x" is not a registry'],
    ['a registry-auth entry --config=/tmp/x', 'registry-auth', () => ({ 'registry-auth': `- registry: --config=/tmp/x\n  username: ${s.user}\n  password: ${s.password}\n` }), '"--config=/tmp/x" is not a registry'],
    ['labels: =novalue', 'labels', () => ({ ...login(), labels: 'org.acme.team=core\n=novalue' }), 'line 2 "=novalue" has no key'],
    ['a target the Dockerfile does not have', 'target', () => ({ ...login(), target: 'runtime' }), '"runtime" is not a stage of Dockerfile'],
    ['network: bridge', 'network', () => ({ ...login(), network: 'bridge' }), 'is not a network mode'],
    ['file: ../../../etc/passwd', 'file', () => ({ ...login(), file: '../../../../../../etc/passwd' }), 'lies outside the workspace'],
    ['an artifact outside the context', 'artifact', () => ({ ...login(), context: 'docker', artifact: 'target/*.jar' }), 'points outside the build context'],
    ['an image whose registry asks for credentials and has no login', 'images', () => ({}), 'asks for credentials, and there is no login for it'],
    ['a two-line value in the one-line secrets form', 'secrets', () => ({ ...login(), secrets: 'tok=first-SECRETLINE-1\nsecond-SECRETLINE-2' }), 'line 2 is not id=value'],
  ];

  it.each(cases)('%s', async (_, input, inputs, message) => {
    const ws = workspace(SHADED);
    mkdirSync(path.join(ws.dir, 'docker'));
    copyFileSync(path.join(ws.dir, 'Dockerfile'), path.join(ws.dir, 'docker/Dockerfile'));
    const repo = uniqueRepo('refused');
    const run = await runAction({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), env: ws.env, inputs: { images: `${s.registry}/${repo}`, ...inputs(ws.dir) } });
    await expectRefusedBeforeAnything(run, input, repo);
    if (message) expect(run.main.log).toContain(message);
    expect(existsSync('/etc/x')).toBe(false);
    expect(run.everything).not.toContain('root:x:0:0');
    expect(run.everything).not.toContain('SECRETLINE');
    expect(run.everything).not.toContain(s.password);
  });

  it('push: true with no tag for a branch push fails, naming the ref and the rules', async () => {
    const ws = workspace(SHADED);
    const repo = uniqueRepo('notag');
    const run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), env: ws.env, inputs: { images: `${s.registry}/${repo}`, ...login(), tags: 'type=semver,pattern={{version}}' } });
    await expectRefusedBeforeAnything(run, 'tags', repo);
    expect(run.main.log).toContain('no tag results for refs/heads/main from the rules type=semver,pattern={{version}}');
  });
});

describe('push: auto with no tag', () => {
  it('builds, pushes nothing, and says why in a notice', async () => {
    const ws = workspace(SHADED);
    const repo = uniqueRepo('autopush');
    const run = await runAction({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), env: ws.env, inputs: { images: `${s.registry}/${repo}`, ...login(), tags: 'type=semver,pattern={{version}}', push: 'auto' } });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain('::notice::No tag results for refs/heads/main from the rules type=semver,pattern={{version}}: the image is built but not pushed (push: auto).');
    expect(run.outputs.pushed).toBe('false');
    expect(run.outputs['image-id']).toMatch(/^sha256:/);
    expect(await registryTags(s, repo)).toEqual([]);
  });
});

describe('secrets of several lines', () => {
  const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7-block\n-----END PRIVATE KEY-----';
  const ENV_VALUE = 'first-env-line-4f1c\n  second-env-line-9a2e';
  const SETTINGS = '<settings>\n  <servers><server><id>acme</id><password>settings-pass-77b1</password></server></servers>\n</settings>\n';
  const sha = (v: string): string => createHash('sha256').update(v).digest('hex');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = workspace(SHADED);
    const outside = mkdtempSync(path.join(os.tmpdir(), 'ip-secret-file-'));
    writeFileSync(path.join(outside, 'settings.xml'), SETTINGS);
    // the RUN line holds only file names: RUN lines are part of the history
    appendFileSync(
      path.join(ws.dir, 'Dockerfile'),
      'RUN --mount=type=secret,id=pem,required=true --mount=type=secret,id=envsec,required=true --mount=type=secret,id=m2,required=true ' +
        "sha256sum /run/secrets/pem /run/secrets/envsec /run/secrets/m2 | cut -d' ' -f1 > /secret-sums\n",
    );
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: { ...ws.env, MY_ENV_SECRET: ENV_VALUE },
      inputs: {
        images: `${s.registry}/${uniqueRepo('multiline')}`,
        ...login(),
        push: 'false',
        network: 'host',
        secrets: `pem<<EOF\n${PEM}\nEOF\nenvsec=env:MY_ENV_SECRET\nm2=file:${path.join(outside, 'settings.xml')}`,
      },
    });
  });

  it('reaches RUN --mount=type=secret byte for byte, in all three forms', () => {
    expect(run.main.code, run.main.log).toBe(0);
    const sums = execFileSync('docker', ['run', '--rm', '--network', 'host', '--entrypoint', 'cat', run.outputs['image-id'], '/secret-sums'], { encoding: 'utf8', timeout: 60 * 1000 });
    expect(sums.trim().split('\n')).toEqual([sha(PEM), sha(ENV_VALUE), sha(SETTINGS)]);
  });

  it('appears in no log, output, state, summary, history or image config', () => {
    const id = run.outputs['image-id'];
    const pieces = [...PEM.split('\n'), ...ENV_VALUE.split('\n').map((l) => l.trim()), 'settings-pass-77b1', s.password];
    for (const where of [run.everything, docker(['history', '--no-trunc', id]), docker(['image', 'inspect', id])]) for (const p of pieces) expect(where).not.toContain(p);
    expect(run.main.log).toMatch(/--secret id=pem,env=IMAGE_PUBLISH_SECRET_0 --secret id=envsec,env=IMAGE_PUBLISH_SECRET_1 --secret id=m2,src=\S+settings\.xml/);
  });
});
