// @module-tag engine-settings (certs.d and daemon.json's insecure-registries with a reload of dockerd, checked as a whole: runs alone)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { withEngineTrust } from '../support/engine-trust.ts';
import { classicStore, daemonJsonPath, docker, PREBUILT, prebuiltWorkspace, registryDigest, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const indent = (text: string, n: number) => text.trim().split('\n').map((l) => ' '.repeat(n) + l).join('\n');

function authEntry(registry: string, password: string, ca?: string): string {
  return `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${password}\n${ca ? `  ca: |\n${indent(ca, 4)}\n` : ''}`;
}

const escapeRe = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function expectNoSecret(run: ActionRun, ...secrets: string[]): void {
  for (const secret of secrets) expect(run.everything).not.toContain(secret);
}

// image store: docker push goes through containerd's resolver or the classic distribution pusher, each reading certs.d itself
describe('two registries at once, one behind a CA given only through `ca`', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('multi');
  let run: ActionRun;
  let certDir: string;
  let certDirAfter: boolean;
  beforeAll(async () => {
    certDir = `/etc/docker/certs.d/${s.tlsRegistry}`;
    const ws = prebuiltWorkspace();
    // no other file's run holds a file in certs.d meanwhile: what is there before and after is this run's doing
    run = await withEngineTrust(async () => {
      expect(existsSync(certDir), 'the engine must not trust the test CA beforehand').toBe(false);
      const r = await runAction({
        workspace: ws.dir,
        event: tagEvent(ws.sha, 'v1.4.0'),
        env: ws.env,
        inputs: {
          images: `${s.registry}/${repo}\n${s.tlsRegistry}/${repo}`,
          tags: 'type=semver,pattern={{version}}',
          'registry-auth': authEntry(s.registry, s.password) + authEntry(s.tlsRegistry, s.password, readFileSync(s.caFile, 'utf8')),
          ...PREBUILT,
        },
      });
      certDirAfter = existsSync(certDir);
      return r;
    });
  });

  it('pushes to both and reports what each holds: the same digest, but for the classic pusher, which says so', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    const digest = run.outputs.digest;
    expect(await registryDigest(s, repo, '1.4.0')).toBe(digest);
    const meta = JSON.parse(run.outputs.metadata) as { registries: { registry: string; pushed: boolean; digest: string }[] };
    expect(meta.registries.map((r) => [r.registry, r.pushed])).toEqual([
      [s.registry, true],
      [s.tlsRegistry, true],
    ]);
    // each registry serves the digest the run reports for it
    for (const r of meta.registries) expect(await registryDigest(s, repo, '1.4.0', r.registry), r.registry).toBe(r.digest);
    expect(meta.registries[0].digest).toBe(digest);
    // the containerd store pushes the blobs it holds; the classic pusher compresses a layer again for a registry
    // that has not got it by its record (that record grows with what the engine pushed before), so the two can differ
    if (!classicStore()) expect(meta.registries[1].digest).toBe(digest);
    else if (meta.registries[1].digest !== digest) expect(run.main.log).toMatch(/::warning::The pushed tags resolve to different digests/);
  });

  it('restores the engine trust in post, and leaks no password', () => {
    expect(run.post.code, run.post.log).toBe(0);
    expect(run.post.log).toMatch(new RegExp(`Removed ${escapeRe(certDir)}/image-publish-1001-[0-9a-f]{16}\\.crt\\.`));
    expect(certDirAfter).toBe(false);
    expectNoSecret(run, s.password);
  });
});

describe('two jobs on one engine trust the CA for one registry, beside the user’s own ca.crt', () => {
  const OWN = /^image-publish-1001-[0-9a-f]{16}\.crt$/;
  // a CA of someone else's (a public root): the user's file, which the engine reads too, must not be what lets us in
  const USER_CA = `${tls.rootCertificates[0].trim()}\n`;
  let certDir: string;
  const listing = (): string[] => (existsSync(certDir) ? readdirSync(certDir).sort() : []);
  const job = (repo: string, beforePost: () => Promise<void>): Promise<ActionRun> => {
    const ws = prebuiltWorkspace();
    return runAction({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), env: ws.env, inputs: { images: `${s.tlsRegistry}/${repo}`, 'registry-auth': authEntry(s.registry, s.password) + authEntry(s.tlsRegistry, s.password, readFileSync(s.caFile, 'utf8')), cache: 'false', ...PREBUILT }, beforePost });
  };

  it('A main, B main, A post, B post: each file is the job’s own, and each post takes out only its own', async () => {
    certDir = `/etc/docker/certs.d/${s.tlsRegistry}`;
    const seen: Record<string, string[]> = {};
    let bFileAfterA = '';
    let runA: ActionRun | undefined;
    let runB: ActionRun | undefined;
    await withEngineTrust(async () => {
      expect(existsSync(certDir), 'the engine must not trust the test CA beforehand').toBe(false);
      mkdirSync(certDir);
      writeFileSync(path.join(certDir, 'ca.crt'), USER_CA);
      try {
        const aMain = deferred();
        const bMain = deferred();
        const aDone = deferred();
        const a = job(uniqueRepo('own-ca-a'), async () => {
          aMain.resolve();
          await bMain.promise;
        });
        await aMain.promise;
        seen.afterA = listing();
        const b = job(uniqueRepo('own-ca-b'), async () => {
          seen.afterBoth = listing();
          bMain.resolve();
          await aDone.promise;
        });
        runA = await a;
        seen.afterAPost = listing();
        const bFile = seen.afterAPost.find((f) => OWN.test(f));
        bFileAfterA = bFile ? readFileSync(path.join(certDir, bFile), 'utf8') : '';
        aDone.resolve();
        runB = await b;
        seen.afterBPost = listing();
        seen.userCa = [readFileSync(path.join(certDir, 'ca.crt'), 'utf8')];
      } finally {
        rmSync(certDir, { recursive: true, force: true });
      }
    });
    for (const r of [runA, runB]) {
      expect(r?.main.code, r?.main.log).toBe(0);
      expect(r?.outputs.pushed).toBe('true');
      expect(r?.post.code, r?.post.log).toBe(0);
    }
    const aFile = seen.afterA.find((f) => OWN.test(f)) ?? '';
    expect(seen.afterA).toEqual(['ca.crt', aFile].sort());
    expect(seen.afterBoth).toHaveLength(3);
    expect(seen.afterBoth).toContain('ca.crt');
    expect(seen.afterBoth).toContain(aFile);
    const bFile = seen.afterBoth.find((f) => f !== aFile && OWN.test(f)) ?? '';
    expect(bFile).not.toBe('');
    expect(seen.afterAPost).toEqual(['ca.crt', bFile].sort());
    expect(bFileAfterA).toBe(readFileSync(s.caFile, 'utf8'));
    expect(seen.afterBPost).toEqual(['ca.crt']);
    expect(seen.userCa).toEqual([USER_CA]);
    expect(runA?.post.log).toContain(`Removed ${certDir}/${aFile}.`);
    expect(runB?.post.log).toContain(`Removed ${certDir}/${bFile}.`);
  });
});

// image store: each store's pusher decides plain HTTP from insecure-registries in its own way
describe('insecure-registries: plain HTTP beyond 127.0.0.0/8', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('insecure');
  let run: ActionRun;
  let daemonJsonBefore: string;
  beforeAll(async () => {
    daemonJsonBefore = readFileSync(daemonJsonPath(), 'utf8');
    const ws = prebuiltWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: {
        images: `${s.v6HttpRegistry}/${repo}`,
        'registry-auth': authEntry(s.registry, s.password) + authEntry(s.v6HttpRegistry, s.password),
        'insecure-registries': s.v6HttpRegistry,
        ...PREBUILT,
      },
    });
  });

  it('logs in and pushes over HTTP, then puts daemon.json back', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    expect(run.post.code, run.post.log).toBe(0);
    expect(readFileSync(daemonJsonPath(), 'utf8')).toBe(daemonJsonBefore);
    const info = JSON.parse(docker(['info', '--format', '{{json .RegistryConfig.IndexConfigs}}'])) as Record<string, unknown>;
    expect(Object.keys(info)).not.toContain(s.v6HttpRegistry);
  });

  it('without the opt-in the engine refuses plain HTTP', async () => {
    const ws = prebuiltWorkspace();
    const refused = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.1'),
      env: ws.env,
      inputs: { images: `${s.v6HttpRegistry}/${repo}`, 'registry-auth': authEntry(s.registry, s.password) + authEntry(s.v6HttpRegistry, s.password), retries: '0', ...PREBUILT },
    });
    expect(refused.main.code).not.toBe(0);
    expect(refused.main.log).toMatch(/HTTP response to HTTPS client/);
  });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('two jobs on one engine interleave their insecure-registries changes', () => {
  const DAEMON_JSON = daemonJsonPath();
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const hostA = `ip-a-${suffix}.image-publish.test:5999`;
  const hostB = `ip-b-${suffix}.image-publish.test:5999`;
  let start: string;
  const listed = (): string[] => (JSON.parse(readFileSync(DAEMON_JSON, 'utf8')) as { 'insecure-registries'?: string[] })['insecure-registries'] ?? [];
  const job = (host: string, beforePost: () => Promise<void>): Promise<ActionRun> => {
    const ws = prebuiltWorkspace();
    return runAction({ workspace: ws.dir, event: tagEvent(ws.sha, 'v1.0.0'), env: ws.env, inputs: { images: `${s.registry}/${uniqueRepo('interleave')}`, registry: s.registry, username: s.user, password: s.password, push: 'false', cache: 'false', 'insecure-registries': host, ...PREBUILT }, beforePost });
  };

  it('A main, B main, A post, B post: A leaves B its entry, and both leave daemon.json as it was', async () => {
    start = readFileSync(DAEMON_JSON, 'utf8');
    const aMain = deferred();
    const bMain = deferred();
    const aChecked = deferred();
    let afterBothMains: string[] = [];
    const a = job(hostA, async () => {
      aMain.resolve();
      await bMain.promise;
    });
    await aMain.promise;
    const b = job(hostB, async () => {
      afterBothMains = listed();
      bMain.resolve();
      await aChecked.promise;
    });
    const runA = await a;
    const afterA = listed();
    aChecked.resolve();
    const runB = await b;
    expect(runA.main.code, runA.main.log).toBe(0);
    expect(runB.main.code, runB.main.log).toBe(0);
    expect(afterBothMains).toEqual(expect.arrayContaining([hostA, hostB]));
    expect(afterA).toContain(hostB);
    expect(afterA).not.toContain(hostA);
    expect(readFileSync(DAEMON_JSON, 'utf8')).toBe(start);
    expect(runA.post.log).toContain(`Took ${hostA} out of ${DAEMON_JSON}`);
  });

  afterAll(() => {
    // a failed run must not leave the shared engine changed for everyone else
    if (start !== undefined && existsSync(DAEMON_JSON) && readFileSync(DAEMON_JSON, 'utf8') !== start) {
      writeFileSync(DAEMON_JSON, start);
      execFileSync('sh', ['-c', 'kill -HUP $(pidof dockerd)']);
    }
  });
});
