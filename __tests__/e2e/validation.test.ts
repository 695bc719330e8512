import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { docker, PREBUILT, prebuiltWorkspace, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const login = (): Record<string, string> => ({ registry: s.registry, username: s.user, password: s.password });

describe('secrets of several lines', () => {
  const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7-block\n-----END PRIVATE KEY-----';
  const ENV_VALUE = 'first-env-line-4f1c\n  second-env-line-9a2e';
  const SETTINGS = '<settings>\n  <servers><server><id>acme</id><password>settings-pass-77b1</password></server></servers>\n</settings>\n';
  const sha = (v: string): string => createHash('sha256').update(v).digest('hex');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = prebuiltWorkspace();
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
        ...PREBUILT,
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

describe('secrets hygiene in the image', () => {
  it('a BuildKit secret reaches RUN but not the history, the config, argv or the logs', async () => {
    const ws = prebuiltWorkspace();
    // the RUN line may only hold a hash of the value: RUN lines are part of the history
    const md5 = createHash('md5').update('s3cr3t-build-value-77').digest('hex');
    appendFileSync(path.join(ws.dir, 'Dockerfile'), `RUN --mount=type=secret,id=npmtoken test "$(md5sum < /run/secrets/npmtoken | cut -c1-32)" = "${md5}"\n`);
    const run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: {
        images: `${s.registry}/${uniqueRepo('secret')}`,
        registry: s.registry,
        username: s.user,
        password: s.password,
        push: 'false',
        network: 'host',
        secrets: 'npmtoken=s3cr3t-build-value-77',
        'build-args': 'NPM_TOKEN_NAME=npmtoken',
        ...PREBUILT,
      },
    });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain("::warning::Input 'build-args': NPM_TOKEN_NAME looks like a secret");
    const id = run.outputs['image-id'];
    expect(docker(['history', '--no-trunc', id])).not.toContain('s3cr3t-build-value-77');
    expect(docker(['image', 'inspect', id])).not.toContain('s3cr3t-build-value-77');
    for (const secret of ['s3cr3t-build-value-77', s.password]) expect(run.everything).not.toContain(secret);
  });
});
