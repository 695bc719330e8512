import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { cleanPushDigest, pushRandomBase, randomLayerWorkspace } from '../support/fault-images.ts';
import { HttpFaultRelay, TcpFaultRelay, type HttpFault, type TcpFault } from '../support/faults.ts';
import { FlakyRelay } from '../support/relay.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { docker, PREBUILT, prebuiltWorkspace, registryDigest, registryManifest, services, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

// The docker path (BuildKit, then `docker push`) through a fault relay in front of the test registry. The image has a
// layer of random bytes that no registry has seen, so the push really uploads it through the relay.

let s: Services;
let ws: Workspace;
const LAYER = 3 * 1024 * 1024;
const MiB = 1024 * 1024;

function authEntry(registry: string): string {
  return `- registry: ${JSON.stringify(registry)}\n  username: ${s.user}\n  password: ${s.password}\n`;
}

function upstream(): { host: string; port: number } {
  return { host: '127.0.0.1', port: Number(s.registry.split(':')[1]) };
}

/** Publishes a workspace of its own (its layer is new to every registry and to the engine's push records) through a relay. */
async function publishThrough(relayAddress: string, repo: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  ws = randomLayerWorkspace(s.baseImage, LAYER);
  return runAction({
    workspace: ws.dir,
    event: tagEvent(ws.sha, 'v1.0.0'),
    env: ws.env,
    inputs: { images: `${relayAddress}/${repo}`, 'java-tool': 'none', 'registry-auth': authEntry(s.registry) + authEntry(relayAddress), ...extra },
  });
}

beforeAll(() => {
  s = services();
});

const TCP: [string, TcpFault, number][] = [
  ['cut after 1 MiB client to server', { kind: 'cut', direction: 'up', afterBytes: MiB }, 1],
  ['reset at connect (the first 3 connections)', { kind: 'reset', count: 3 }, 3],
  ['a stall of 5 s after 1 MiB', { kind: 'stall', direction: 'up', afterBytes: MiB, stallMs: 5000 }, 1],
];

const HTTP: [string, HttpFault][] = [
  ['503 for 6 s from the first upload', { status: 503, forMs: 6000, armOn: /^POST .*\/blobs\/uploads\// }],
  ['429 with Retry-After: 2 for 4 s from the first upload', { status: 429, forMs: 4000, retryAfterS: 2, armOn: /^POST .*\/blobs\/uploads\// }],
];

describe.each([...TCP.map(([name, fault, n]) => [name, () => new TcpFaultRelay(upstream(), fault), n] as const), ...HTTP.map(([name, fault]) => [name, () => new HttpFaultRelay(upstream(), fault), 0] as const)])(
  'docker push through a relay: %s',
  (_, make, expected) => {
    const repo = uniqueRepo('faults');
    let relay: TcpFaultRelay | HttpFaultRelay;
    let run: ActionRun;
    beforeAll(async () => {
      relay = make();
      await relay.start();
      run = await publishThrough(relay.address, repo);
    });
    afterAll(() => relay?.stop());

    it('the fault happened, and the image landed with the digest of a push without faults', async () => {
      if (expected) expect(relay.injected).toBe(expected);
      else expect(relay.injected).toBeGreaterThan(0);
      expect(run.main.code, run.main.log).toBe(0);
      const digest = run.outputs.digest;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await registryDigest(s, repo, 'v1.0.0')).toBe(digest);
      expect(cleanPushDigest(s, run.outputs['image-id'])).toBe(digest);
      // the random layer really went up through the relay
      expect(relay.bytesUp).toBeGreaterThan(LAYER);
      // a reset at connect fails the first request at once (the in-process credential check's, or docker's): our retry, with the cause
      if (relay instanceof TcpFaultRelay && relay.fault.kind === 'reset') expect(run.main.log).toMatch(/::warning::Retry 1 in [\d.]+ s: 127\.0\.0\.1:\d+: [^\n]*(connection reset by peer|EOF|ECONNRESET)/);
      expect(run.everything).not.toContain(s.password);
    });
  },
);

// the relay from the issue that added retries: every request answered 503 for a while (docker login and push alike)
describe('a registry that answers 503 for 8 seconds', () => {
  const repo = uniqueRepo('flaky');
  let relay: FlakyRelay;
  let run: ActionRun;
  let host: string;
  beforeAll(async () => {
    relay = new FlakyRelay(upstream(), 8000);
    host = `127.0.0.1:${await relay.start()}`;
    const ws = prebuiltWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${host}/${repo}`, 'registry-auth': authEntry(s.registry) + authEntry(host), ...PREBUILT },
    });
  });
  afterAll(() => relay?.stop());

  it('retries with backoff, logs why, and publishes', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(relay.refused).toBeGreaterThan(0);
    expect(run.main.log).toMatch(/::warning::Retry 1 in \d+\.\d s: .*503/);
    expect(await registryDigest(s, repo, 'v1.0.0')).toBe(run.outputs.digest);
    expect(run.everything).not.toContain(s.password);
  });
});

/** The containerd image store: its `docker push` does not retry a cut layer upload itself (the classic store tries 5 times). */
function containerdStore(): boolean {
  return docker(['info', '--format', '{{json .DriverStatus}}']).includes('io.containerd.snapshotter');
}

describe('an upload cut twice (the issue: it was classified from a progress line and never retried)', () => {
  const repo = uniqueRepo('faults-cut2');
  let relay: TcpFaultRelay;
  let run: ActionRun;
  beforeAll(async () => {
    relay = new TcpFaultRelay(upstream(), { kind: 'cut', direction: 'up', afterBytes: MiB, count: 2 });
    await relay.start();
    run = await publishThrough(relay.address, repo);
  });
  afterAll(() => relay?.stop());

  it("docker's error line is taken as transient, the push alone runs again and lands", async () => {
    expect(relay.injected).toBe(2);
    expect(run.main.code, run.main.log).toBe(0);
    const retries = run.main.log.match(/::warning::Retry \d+ in [\d.]+ s: [^\n]*/g) ?? [];
    // the containerd store's push gives up at the first cut: each cut is one of our retries, with docker's words
    if (containerdStore()) expect(retries).toHaveLength(2);
    for (const r of retries) expect(r).toMatch(/127\.0\.0\.1:\d+: [^\n]*(use of closed network connection|broken pipe|connection reset by peer|EOF)$/);
    // the build ran once: only the push was run again
    expect(run.main.log.match(/\[command\]docker (buildx )?build /g)).toHaveLength(1);
    expect(await registryDigest(s, repo, 'v1.0.0')).toBe(run.outputs.digest);
    expect(cleanPushDigest(s, run.outputs['image-id'])).toBe(run.outputs.digest);
  });
});

// image store: docker push words its errors per store; a 401 must stay final and the 503s transient on both
describe('503 then 401 in the middle of the retries', { tags: ['image-store'] }, () => {
  const repo = uniqueRepo('faults-unauth');
  let relay: HttpFaultRelay;
  let run: ActionRun;
  beforeAll(async () => {
    relay = new HttpFaultRelay(upstream(), { status: 503, forMs: 2500, then: 401 });
    await relay.start();
    run = await publishThrough(relay.address, repo, { retries: '6' });
  });
  afterAll(() => relay?.stop());

  it('retries the 503s, then stops at the first 401, quoting the registry', () => {
    expect(relay.injected).toBeGreaterThan(0);
    expect(relay.refusedAfter).toBeGreaterThan(0);
    expect(run.main.code).not.toBe(0);
    const retries = run.main.log.match(/::warning::Retry \d+ in [\d.]+ s: [^\n]*/g) ?? [];
    expect(retries.length, run.main.log).toBeGreaterThan(0);
    for (const r of retries) expect(r).toMatch(/503/);
    expect(run.main.log).toMatch(/rejected the credentials[^\n]*401 Unauthorized/);
    // one attempt met the 401, and none came after it
    const attempts = retries.length + 1;
    expect(attempts).toBeLessThan(7);
    expect(run.main.log).not.toMatch(/Retry \d+ in [\d.]+ s: [^\n]*401/);
    // the job summary counts the retries against the registry that caused them
    expect(readFileSync(run.summaryFile, 'utf8')).toContain(`**Retries after network faults:** ${relay.address} ${retries.length}`);
  });
});

describe('caches through a cutting relay in front of the cache service', () => {
  let svc: CacheService;
  let saveRelay: TcpFaultRelay;
  let restoreRelay: TcpFaultRelay;
  let save: ActionRun;
  let restore: ActionRun;
  beforeAll(async () => {
    svc = await startCacheService();
    const service = { host: '127.0.0.1', port: svc.port };
    saveRelay = new TcpFaultRelay(service, { kind: 'cut', direction: 'up', afterBytes: 16 * 1024 });
    restoreRelay = new TcpFaultRelay(service, { kind: 'cut', direction: 'down', afterBytes: 16 * 1024 });
    await Promise.all([saveRelay.start(), restoreRelay.start()]);
    // Maven: its dependency and jar caches are what goes through the relay
    const w = workspace('__tests__/fixtures/maven-shaded');
    const through = async (relay: TcpFaultRelay): Promise<ActionRun> => {
      // the twirp calls and the signed blob URLs both go through the relay
      svc.setPublicBase(`http://${relay.address}/`);
      return runAction({
        workspace: w.dir,
        event: tagEvent(w.sha, 'v1.0.0'),
        env: { ...w.env, ...svc.env, ACTIONS_RESULTS_URL: `http://${relay.address}/` },
        inputs: { images: `${s.registry}/${uniqueRepo('faults-cache')}`, registry: s.registry, username: s.user, password: s.password, push: 'false' },
      });
    };
    save = await through(saveRelay);
    restore = await through(restoreRelay);
  });
  afterAll(async () => {
    await Promise.all([svc?.stop(), saveRelay?.stop(), restoreRelay?.stop()]);
  });

  it('a save cut half-way does not fail the job: the cache is saved or a warning says why not', () => {
    expect(saveRelay.injected, `${saveRelay.bytesUp} bytes up\n${save.main.log}\n${save.post.log}`).toBe(1);
    expect(save.main.code, save.main.log).toBe(0);
    expect(save.post.code, save.post.log).toBe(0);
    expect(svc.entries().length > 0 || /::warning::/.test(save.post.log)).toBe(true);
  });

  it('a restore cut half-way is a hit or a miss with a warning, never a failure', () => {
    expect(restoreRelay.injected, `${restoreRelay.bytesDown} bytes down\n${restore.main.log}`).toBe(1);
    expect(restore.main.code, restore.main.log).toBe(0);
    const hits = JSON.parse(restore.outputs['cache-hit']) as Record<string, string>;
    const missed = Object.entries(hits).filter(([, h]) => h === 'miss');
    if (missed.length) expect(restore.main.log).toMatch(/::warning::[^\n]*(restore|cache)/i);
    else expect(Object.values(hits).some((h) => h === 'exact')).toBe(true);
  });
});

describe.each([
  ['a cutting relay (1 MiB, server to client): BuildKit resumes the layer', () => new TcpFaultRelay(upstream(), { kind: 'cut', direction: 'down', afterBytes: MiB })],
  // armed on the base's layer: the action reads the base's manifests and config itself (to pin the build to its
  // digest), so only the build's own pull fetches the layer
  ['a relay that answers 503 for 3 s from the first request for the base layer: the build runs again', (layer: string) => new HttpFaultRelay(upstream(), { status: 503, forMs: 3000, armOn: new RegExp(`^GET .*/blobs/${layer}`) })],
] as const)('a base image pulled through %s', (_, make: (layer: string) => TcpFaultRelay | HttpFaultRelay) => {
  const baseRepo = uniqueRepo('faults-base');
  const repo = uniqueRepo('faults-from');
  let relay: TcpFaultRelay | HttpFaultRelay;
  let run: ActionRun;
  beforeAll(async () => {
    pushRandomBase(s, `${s.registry}/${baseRepo}:1`, LAYER);
    relay = make((await registryManifest(s, baseRepo, '1')).layers[0].digest);
    await relay.start();
    ws = randomLayerWorkspace(`${relay.address}/${baseRepo}:1`, LAYER);
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: ws.env,
      inputs: { images: `${s.registry}/${repo}`, 'java-tool': 'none', 'registry-auth': authEntry(s.registry) + authEntry(relay.address) },
    });
  });
  afterAll(() => relay?.stop());

  it('the fault happened, the build got its base, and the image landed', async () => {
    expect(relay.injected, run.main.log).toBeGreaterThan(0);
    expect(run.main.code, run.main.log).toBe(0);
    if (relay instanceof TcpFaultRelay) expect(relay.bytesDown).toBeGreaterThan(LAYER);
    else expect(run.main.log).toMatch(/::warning::Retry 1 in [\d.]+ s: 127\.0\.0\.1:\d+: pulling the base image: [^\n]*503/);
    expect(await registryDigest(s, repo, 'v1.0.0')).toBe(run.outputs.digest);
    // the image is built on that base: its layer, then ours
    expect((await registryManifest(s, repo, 'v1.0.0')).layers).toHaveLength(2);
  });
});
