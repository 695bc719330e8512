// Refusals that come from looking at the Dockerfile, the base image or the signing key: each fails with the input
// at fault and writes nothing to any registry. The native builder here is the real one (it needs no engine).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchEvent, tagEvent } from '../support/events.ts';
import { contextWorkspace } from '../support/native.ts';
import { ROOT } from '../support/runner.ts';
import { fakeBuilders, type FakeBuilds } from './support/builder.ts';
import { appWorkspace, pushInputs, seedBase, startRegistry } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess } from './support/run.ts';

let reg: MemoryRegistry;
beforeAll(async () => {
  reg = await startRegistry();
  seedBase(reg, 'base/jre', '17', ['linux/amd64']);
  seedBase(reg, 'base/jre', '17-multi', ['linux/amd64', 'linux/arm64/v8']);
});
afterAll(() => reg.stop());

const writes = (repo: string) => reg.requests.filter((r) => r.path.includes(`/${repo}/`) && r.method !== 'GET' && r.method !== 'HEAD');

describe('the native builder refuses, before anything is pushed', () => {
  it('builder: native with RUN: a clear error naming the line', async () => {
    const ws = contextWorkspace({ Dockerfile: `FROM ${reg.host}/base/jre:17\nCOPY a /a\nRUN chmod 600 /a\n`, a: 'x' });
    const run = await runInProcess({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: pushInputs(reg, 'acme/native-refuse', { tags: 'type=raw,value=v1' }), builders: 'real' });
    expect(run.error).toContain("Input 'builder': native cannot build this: line 3: RUN chmod 600 /a (RUN needs BuildKit). Use builder: docker");
    expect(writes('acme/native-refuse')).toEqual([]);
  });

  it('names the platforms the base has when one is missing', async () => {
    const ws = appWorkspace(`${reg.host}/base/jre:17-multi`);
    const run = await runInProcess({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: pushInputs(reg, 'acme/native-s390x', { tags: 'type=raw,value=v1', platforms: 'linux/s390x' }), builders: 'real' });
    expect(run.error).toContain('the base image has no linux/s390x platform; it has linux/amd64, linux/arm64/v8');
    expect(writes('acme/native-s390x')).toEqual([]);
  });

  it('a base that needs credentials not given: "cannot read the base image", naming the registry to add', async () => {
    const target = await startRegistry();
    try {
      const ws = appWorkspace(`${reg.host}/base/jre:17`);
      // credentials for the registry pushed to, none for the base's (and an empty docker config: HOME is fresh)
      const run = await runInProcess({ workspace: ws.dir, event: branchEvent(ws.sha, 'main'), inputs: pushInputs(target, 'acme/native-nocred', { tags: 'type=raw,value=v1' }), builders: 'real' });
      expect(run.error).toContain(`The native builder cannot read the base image ${reg.host}/base/jre:17`);
      expect(run.error).toContain(`give credentials for ${reg.host} in \`registry-auth\``);
      expect(target.tags('acme/native-nocred')).toEqual([]);
    } finally {
      await target.stop();
    }
  });
});

describe('bad signing input fails before anything is built or pushed', () => {
  const key = readFileSync(path.join(ROOT, '__tests__/fixtures/cosign/cosign.key'), 'utf8');

  it('a wrong password: names signing-password, quotes no secret', async () => {
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const ws = appWorkspace();
    const wrong = 'wrong-test-only-password';
    const run = await runInProcess({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), inputs: pushInputs(reg, 'acme/badkeypw', { sign: 'key', 'signing-key': key, 'signing-password': wrong }), builders: fakeBuilders(calls) });
    expect(run.error).toContain("Input 'signing-password': does not open `signing-key`");
    expect(run.log).not.toContain('::group::Build the image');
    expect(calls.kinds).toEqual([]);
    expect(reg.tags('acme/badkeypw')).toEqual([]);
    expect(run.everything).not.toContain(wrong);
    for (const line of key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(run.everything).not.toContain(line);
  });

  it('a key that is not a cosign key: says what was expected', async () => {
    const calls: FakeBuilds = { kinds: [], jars: [] };
    const ws = appWorkspace();
    const pem = readFileSync(path.join(ROOT, '__tests__/fixtures/test-ca.pem'), 'utf8');
    const run = await runInProcess({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), inputs: pushInputs(reg, 'acme/notakey', { sign: 'key', 'signing-key': pem, 'signing-password': 'whatever-pw-123' }), builders: fakeBuilders(calls) });
    expect(run.error).toContain("Input 'signing-key': is not a cosign private key; expected the cosign.key that `cosign generate-key-pair` writes");
    expect(calls.kinds).toEqual([]);
    expect(reg.tags('acme/notakey')).toEqual([]);
    expect(run.everything).not.toContain('whatever-pw-123');
  });

  it('the right key and password pass that check (the refusals above are about the input)', async () => {
    const ws = appWorkspace();
    const run = await runInProcess({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), inputs: pushInputs(reg, 'acme/goodkey', { sign: 'key', 'signing-key': key, 'signing-password': 'test-only-password', push: 'false' }) });
    expect(run.error, run.log).toBeUndefined();
    expect(run.everything).not.toContain('test-only-password');
    expect(run.secrets).toContain('test-only-password');
  });
});
