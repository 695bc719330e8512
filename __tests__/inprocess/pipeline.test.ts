import { mkdirSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prTargetEvent, tagEvent } from '../support/events.ts';
import type { GitEvent } from '../support/runner.ts';
import { SHADED, workspace } from '../support/services.ts';
import { fakeBuilders, type FakeBuilds } from './support/builder.ts';
import { appWorkspace, login, pushInputs, startRegistry } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

let reg: MemoryRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg.stop());

/** Runs `fn` with nothing at all on PATH: a dry run starts no process. */
async function withEmptyPath<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

describe('dry-run', () => {
  it('prints the plan and sets the tag outputs with no docker, java, git or network', async () => {
    const ws = workspace(SHADED);
    const run = await withEmptyPath(() =>
      runInProcess({
        workspace: ws.dir,
        event: tagEvent(ws.sha, 'v3.1.4'),
        inputs: { images: 'acme/hello', tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}', username: 'octo', password: 'dry-run-secret-123', secrets: 'token=build-secret-456', 'dry-run': 'true' },
      }),
    );
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs['tag-names'].split('\n')).toEqual(['3.1.4', '3', 'latest']);
    expect(run.outputs.version).toBe('3.1.4');
    expect(run.outputs.pushed).toBe('false');
    expect(run.log).toContain('mvn --batch-mode --no-transfer-progress -DskipTests package');
    expect(run.log).toContain('Expected jar: target/*.jar');
    expect(run.log).toContain('--build-arg JAR_FILE=<the jar, relative to the context>');
    expect(run.log).toContain('--secret id=token,env=IMAGE_PUBLISH_SECRET_0');
    expect(run.log).toContain('docker push acme/hello:3.1.4');
    expect(run.everything).not.toContain('dry-run-secret-123');
    expect(run.everything).not.toContain('build-secret-456');
  });

  it('shows bare tags in an empty workspace with no image, as metadata-action does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-empty-'));
    const run = await withEmptyPath(() => runInProcess({ workspace: dir, event: tagEvent('0123456789abcdef0123456789abcdef01234567', 'v1.2.3'), inputs: { tags: 'type=semver,pattern={{version}}\ntype=sha', 'dry-run': 'true' } }));
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs.tags.split('\n')).toEqual(['1.2.3', 'sha-0123456', 'latest']);
    expect(run.log).toContain("::warning::Input 'file': no Dockerfile");
  });
});

describe('java-tool: none with a prebuilt jar', () => {
  it('takes the jar the artifact glob picks and runs no build tool (there is none on PATH here)', async () => {
    const ws = workspace(SHADED);
    mkdirSync(path.join(ws.dir, 'target'));
    writeFileSync(path.join(ws.dir, 'target/hello-service-1.0.0.jar'), 'PK prebuilt\n');
    writeFileSync(path.join(ws.dir, 'target/other.jar'), 'PK not this one\n');
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const run = await runInProcess({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      inputs: { images: `${reg.host}/acme/prebuilt`, push: 'false', builder: 'native', 'java-tool': 'none', artifact: 'target/hello-*.jar' },
      builders: fakeBuilders(calls),
    });
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs.artifact).toBe('target/hello-service-1.0.0.jar');
    expect(calls.jars).toEqual([path.join(ws.dir, 'target/hello-service-1.0.0.jar')]);
  });
});

describe('a wrong password', () => {
  let run: InProcessRun;
  const calls: FakeBuilds = { kinds: [], jars: [] };
  beforeAll(async () => {
    const ws = workspace(SHADED);
    run = await runInProcess({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), inputs: { images: `${reg.host}/acme/badpw`, ...login(reg), password: 'definitely-wrong-pw-4711' }, builders: fakeBuilders(calls) });
  });

  it('fails before the Java build and any login, says the credentials were rejected, does not retry and pushes nothing', () => {
    expect(run.error).toMatch(/^Input 'password': the registry rejected the credentials/);
    expect(run.log).not.toMatch(/Retry \d/);
    // asked in-process, with nothing written: the build tool never runs with a wrong password to find
    expect(run.log).not.toContain('::group::Java build');
    expect(run.log).not.toContain('::group::Log in to the registries');
    expect(calls.kinds).toEqual([]);
    expect(run.everything).not.toContain('definitely-wrong-pw-4711');
    expect(reg.tags('acme/badpw')).toEqual([]);
    // the registry was asked once with the password, and refused it: no second try
    const asked = reg.requests.filter((r) => r.path.includes('acme/badpw') && r.authorization);
    expect(asked).toHaveLength(1);
    expect(asked[0].user).toBeUndefined();
    expect(run.postError).toBeUndefined();
  });
});

describe('clear failures', () => {
  it('names the `file` input when the Dockerfile is missing, before logging in', async () => {
    const ws = workspace(SHADED);
    unlinkSync(path.join(ws.dir, 'Dockerfile'));
    const run = await runInProcess({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), inputs: { images: `${reg.host}/acme/nofile`, ...login(reg) } });
    expect(run.error).toContain("Input 'file': no Dockerfile at \"Dockerfile\"");
    expect(run.log).not.toContain('::group::Log in');
    expect(run.log).not.toContain('::group::Java build');
  });
});

describe('pull_request_target with a checkout of the pull request head', () => {
  const base = 'b'.repeat(40);
  const event = (headSha: string): GitEvent => prTargetEvent(headSha, base);

  it('refuses a checkout whose build would run, before anything happens', async () => {
    const ws = workspace(SHADED);
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const before = reg.requests.length;
    const run = await runInProcess({ workspace: ws.dir, event: event(ws.sha), inputs: { images: `${reg.host}/acme/prt-refused`, tags: 'type=raw,value=pr-9', ...login(reg) }, builders: fakeBuilders(calls) });
    expect(run.error).toMatch(/^Input 'allow-untrusted-checkout': pull_request_target: the workspace holds/);
    expect(run.error).toContain('the Java build (mvn --batch-mode');
    expect(run.log).not.toContain('::group::Java build');
    expect(calls.kinds).toEqual([]);
    expect(reg.requests.slice(before).filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  });

  it('gets no login, no push and no cache', async () => {
    const ws = appWorkspace();
    const run = await runInProcess({ workspace: ws.dir, event: event(ws.sha), inputs: pushInputs(reg, 'acme/prt', { tags: 'type=raw,value=pr-9', cache: 'true' }) });
    expect(run.error, run.log).toBeUndefined();
    expect(run.log).toContain(`::warning::pull_request_target: the workspace holds ${ws.sha.slice(0, 12)}, not the base commit ${base.slice(0, 12)}`);
    expect(run.log).toContain('No cache is read or written');
    expect(run.outputs.pushed).toBe('false');
    expect(reg.tags('acme/prt')).toEqual([]);
    expect(reg.requests.filter((r) => r.path.includes('acme/prt') && r.user)).toEqual([]);
    // post saves nothing for that code either
    expect(run.postLog).not.toMatch(/cache saved/i);
  });
});
