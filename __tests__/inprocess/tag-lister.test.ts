// What a dry run with `latest=highest` asks the registry and the GitHub API: the published tags, read with the
// credentials where they belong only, through faults that are retried; nothing is built or pushed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { HttpFaultRelay, TcpFaultRelay } from '../support/faults.ts';
import { FakeGitHubApi } from '../support/github-api.ts';
import { SHADED, workspace } from '../support/services.ts';
import { PASSWORD, startRegistry, USER } from './support/fixtures.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

interface Seen {
  url: string;
  authorization?: string;
}

function fakeServer(host: string, handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handle(req, res);
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve({ port: (server.address() as AddressInfo).port, seen, close: () => server.close() })));
}

describe('the tag lister (latest=highest) keeps credentials at the registry', () => {
  const password = 'fake-registry-password-31f7';
  const basic = `Basic ${Buffer.from(`octo:${password}`).toString('base64')}`;
  let other: Awaited<ReturnType<typeof fakeServer>>;
  let realm: Awaited<ReturnType<typeof fakeServer>>;
  let registry: Awaited<ReturnType<typeof fakeServer>>;
  beforeAll(async () => {
    // answers anything with a Basic challenge, to collect whatever credentials come its way
    const lure = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (req.headers.authorization) res.writeHead(200, { 'content-type': 'application/json' }).end('{"tags":["9.9.9"],"token":"t"}');
      else res.writeHead(401, { 'www-authenticate': 'Basic realm="other"' }).end();
    };
    other = await fakeServer('127.0.0.1', lure);
    realm = await fakeServer('::1', lure);
    registry = await fakeServer('127.0.0.1', (req, res) => {
      if (req.headers.authorization !== basic && req.url?.includes('/link/')) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
      } else if (req.url?.includes('/link/')) {
        res.writeHead(200, { 'content-type': 'application/json', link: `<http://127.0.0.1:${other.port}/v2/acme/link/tags/list?last=1.0.0>; rel="next"` }).end('{"tags":["1.0.0"]}');
      } else {
        // registry.image-publish.test is ::1 in /etc/hosts, but by name it is another host, and this is plain HTTP
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://registry.image-publish.test:${realm.port}/token",service="fake"` }).end();
      }
    });
  });
  afterAll(() => {
    for (const srv of [other, realm, registry]) srv?.close();
  });

  const lookUp = (repo: string): Promise<InProcessRun> => {
    const ws = workspace(SHADED);
    return runInProcess({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v2.0.0'),
      inputs: { images: `127.0.0.1:${registry.port}/acme/${repo}`, registry: `127.0.0.1:${registry.port}`, username: 'octo', password, flavor: 'latest=highest', tags: 'type=semver,pattern={{version}}', 'dry-run': 'true' },
    });
  };

  it('does not follow a Link to another origin', async () => {
    const run = await lookUp('link');
    expect(run.error, run.log).toBeUndefined();
    expect(registry.seen.some((r) => r.url.includes('/link/') && r.authorization === basic)).toBe(true);
    expect(other.seen).toEqual([]);
    expect(run.log).toMatch(/Link header points to another origin \(http:\/\/127\.0\.0\.1:\d+\); it is not followed/);
    expect(run.everything).not.toContain(password);
  });

  it('does not answer a plain-HTTP token realm on another host', async () => {
    const run = await lookUp('realm');
    expect(run.error, run.log).toBeUndefined();
    expect(registry.seen.some((r) => r.url.includes('/realm/'))).toBe(true);
    expect(realm.seen).toEqual([]);
    expect(run.log).toContain('credentials are not sent there');
  });
});

describe('the GitHub API and the tag lister through faults (a dry run: nothing is built)', () => {
  const sha = '5ca1ab1e0123456789abcdef0123456789abcdef';
  const api = new FakeGitHubApi((req) =>
    req.path === `/repos/acme/hello-service/commits/${sha}`
      ? { status: 200, body: { sha, commit: { committer: { date: '2026-09-15T21:30:00Z' } } } }
      : req.path === '/repos/acme/hello-service'
        ? { status: 401, body: { message: 'Bad credentials' } }
        : undefined,
  );
  let apiRelay: TcpFaultRelay;
  let registryRelay: HttpFaultRelay;
  let stopRegistry: () => Promise<void>;
  let run: InProcessRun;
  beforeAll(async () => {
    const reg = await startRegistry();
    stopRegistry = () => reg.stop();
    // a published 1.9.0 that only a tag list read through the faults can reveal
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const configRef = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: reg.seedBlob('acme/faults', config), size: config.length };
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configRef, layers: [] };
    reg.seedManifest('acme/faults', manifest.mediaType, Buffer.from(JSON.stringify(manifest)), '1.9.0');
    const apiUrl = new URL(await api.start());
    apiRelay = new TcpFaultRelay({ host: '127.0.0.1', port: Number(apiUrl.port) }, { kind: 'reset', count: 2 });
    registryRelay = new HttpFaultRelay({ host: '127.0.0.1', port: reg.port }, { status: 503, forMs: 2500, retryAfterS: 1, armOn: /tags\/list/ });
    await Promise.all([apiRelay.start(), registryRelay.start()]);
    const ws = workspace(SHADED);
    run = await runInProcess({
      workspace: ws.dir,
      event: { name: 'push', ref: 'refs/tags/v1.2.0', sha, payload: { repository: { name: 'hello-service', full_name: 'acme/hello-service' } } },
      env: { GITHUB_API_URL: `http://${apiRelay.address}` },
      inputs: {
        images: `${registryRelay.address}/acme/faults`,
        'registry-auth': `- registry: "${registryRelay.address}"\n  username: ${USER}\n  password: ${PASSWORD}\n`,
        tags: 'type=semver,pattern={{version}}',
        flavor: 'latest=highest',
        'github-token': 'ghs_fault_token',
        'dry-run': 'true',
      },
    });
  });
  afterAll(async () => {
    await Promise.all([api.stop(), apiRelay?.stop(), registryRelay?.stop(), stopRegistry?.()]);
  });

  it('retries the API calls that were reset, and takes the commit time from the REST API', () => {
    expect(apiRelay.injected).toBe(2);
    expect(run.error, run.log).toBeUndefined();
    expect(run.log).toMatch(/::warning::Retry 1 in [\d.]+ s: GitHub API: fetch failed: (ECONNRESET|UND_ERR_SOCKET|other side closed)/);
    expect(run.log).toContain(`Commit time of ${sha}: 2026-09-15T21:30:00.000Z (from the REST API)`);
  });

  it('never retries the 401 of the API', () => {
    expect(api.requests.filter((r) => r.path === '/repos/acme/hello-service')).toHaveLength(1);
    expect(run.everything).not.toContain('ghs_fault_token');
  });

  it('reads the published tags through the 503s: 1.2.0 is not the highest, so it gets no latest', () => {
    expect(registryRelay.injected).toBeGreaterThan(0);
    expect(run.log).toMatch(new RegExp(`::warning::Retry 1 in [\\d.]+ s: ${registryRelay.address.replace(/\./g, '\\.')}: `));
    expect(run.log).not.toContain('Could not read the published tags');
    expect(run.outputs['tag-names'].split('\n')).toEqual(['1.2.0']);
  });
});
