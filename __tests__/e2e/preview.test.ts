import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction, type GitEvent } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, services, uniqueRepo, workspace, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const prEvent = (sha: string, head: string): GitEvent => ({
  name: 'pull_request',
  ref: 'refs/pull/42/merge',
  sha,
  payload: {
    action: 'synchronize',
    number: 42,
    pull_request: { number: 42, state: 'open', head: { sha: head, ref: 'feature', repo: { full_name: 'acme/hello-service' } }, base: { ref: 'main', repo: { full_name: 'acme/hello-service' } } },
    repository: { name: 'hello-service', full_name: 'acme/hello-service', default_branch: 'main' },
  },
});

describe('annotations where the code is', () => {
  it('a compile error is annotated on its file and line, and the summary names the stage', async () => {
    const ws = workspace('__tests__/fixtures/maven-broken');
    const run = await runAction({ workspace: ws.dir, event: prEvent(ws.sha, ws.sha), env: ws.env, inputs: { images: `${s.registry}/${uniqueRepo('annot')}`, push: 'false' } });
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error title=maven build,file=src\/main\/java\/com\/acme\/hello\/Main\.java,line=22,col=23::';' expected/);
    const summary = readFileSync(run.summaryFile, 'utf8');
    expect(summary).toContain('**Stage that failed:** Java build');
    expect(summary).toContain("';' expected");
  });

  it('a Dockerfile error is annotated on the Dockerfile line', async () => {
    const ws = prebuiltWorkspace();
    const dockerfile = path.join(ws.dir, 'Dockerfile');
    writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8') + 'COPY missing-file.txt /x\n');
    const run = await runAction({ workspace: ws.dir, event: prEvent(ws.sha, ws.sha), env: ws.env, inputs: { images: `${s.registry}/${uniqueRepo('annot')}`, registry: s.registry, username: s.user, password: s.password, push: 'false', ...PREBUILT } });
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error title=image build,file=Dockerfile,line=6::.*missing-file\.txt/);
  });
});
