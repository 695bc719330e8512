import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../src/retry/classify.js';
import { withRetry, type RetryPolicy } from '../../../src/retry/retry.js';
import { countRetry, newRecord, summaryMarkdown } from '../../../src/report/summary.js';

// docker push/pull/login output as push.ts joins it (stderr, then stdout), the error line among progress lines
const progress = 'The push refers to repository [127.0.0.1:5203/acme/app]\n68c1ddeaf2bc: Mounted from acme/base\n5f70bf18a086: Pushing  1.2MB/2.6MB\n';
const CASES: [string, string, 'transient' | 'auth' | 'fatal'][] = [
  ['a cut upload (the issue)', 'Put "http://127.0.0.1:5203/v2/acme/app/blobs/uploads/1?digest=sha256%3Aab": write tcp 127.0.0.1:51234->127.0.0.1:5203: use of closed network connection', 'transient'],
  ['a reset', 'Patch "http://127.0.0.1:5203/v2/acme/app/blobs/uploads/1": read tcp 127.0.0.1:51234->127.0.0.1:5203: read: connection reset by peer', 'transient'],
  ['EOF', 'Head "http://127.0.0.1:5203/v2/acme/app/blobs/sha256:ab": EOF', 'transient'],
  ['unexpected EOF', 'failed commit on ref "layer-sha256:ab": unexpected EOF', 'transient'],
  ['broken pipe', 'Patch "http://127.0.0.1:5203/v2/acme/app/blobs/uploads/1": write tcp 127.0.0.1:51234->127.0.0.1:5203: write: broken pipe', 'transient'],
  ['TLS handshake timeout', 'Get "https://registry.example.com/v2/": net/http: TLS handshake timeout', 'transient'],
  ['i/o timeout', 'Get "https://registry.example.com/v2/": dial tcp 10.0.0.1:443: i/o timeout', 'transient'],
  ['connection refused', 'failed to do request: Head "https://127.0.0.1:5999/v2/p/blobs/sha256:80b8": dial tcp 127.0.0.1:5999: connect: connection refused', 'transient'],
  ['a 503', 'received unexpected HTTP status: 503 Service Unavailable', 'transient'],
  ['a 502', 'error parsing HTTP 502 response body: invalid character \'<\' looking for beginning of value: "<html>Bad Gateway</html>"', 'transient'],
  ['a 500', 'received unexpected HTTP status: 500 Internal Server Error', 'transient'],
  ['rate limited', 'toomanyrequests: too many requests, retry later', 'transient'],
  ['a 429 JSON body', 'error parsing HTTP 429 response body: {"errors":[{"code":"TOOMANYREQUESTS","message":"not now"}]}', 'transient'],
  ['a registry unavailable JSON body', 'error parsing HTTP 503 response body: {"errors":[{"code":"UNAVAILABLE","message":"not now"}]}', 'transient'],
  ['a stalled push (our time-out)', 'push timed out', 'transient'],
  ['denied', 'denied: requested access to the resource is denied', 'auth'],
  ['unauthorized', 'unauthorized: authentication required', 'auth'],
  ['a 401 after 503s', 'error parsing HTTP 401 response body: {"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', 'auth'],
  ['a refused login', 'Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized', 'auth'],
  ['a 403', 'received unexpected HTTP status: 403 Forbidden', 'auth'],
  ['no credentials', 'push access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials', 'auth'],
  // a registry that will not create the repository for this user: a refusal, with the access hint
  ['name unknown', 'name unknown: repository name not known to registry', 'auth'],
  ['manifest invalid', 'manifest invalid: manifest invalid', 'fatal'],
  ['a digest mismatch', 'digest invalid: provided digest did not match uploaded content', 'fatal'],
  ['a 500 that is a digest mismatch', 'received unexpected HTTP status: 500 Internal Server Error: digest invalid', 'fatal'],
  ['a bad reference', 'invalid reference format', 'fatal'],
  // fetch refuses the port outright (the Fetch standard's blocked ports) before any connection: no answer can change
  ['a port fetch refuses to use', 'fetch failed: bad port', 'fatal'],
];

describe('classification from docker\'s error line, never its progress lines', () => {
  it.each(CASES)('%s', (_, line, kind) => {
    expect(classifyFailure(line)).toBe(kind);
    expect(classifyFailure(`${line}\n${progress}`)).toBe(kind);
  });

  it('a progress line that names a repository "denied" or a layer "503" does not decide', () => {
    const out = 'The push refers to repository [r/denied-app]\n503aaaaaaaaa: Mounted from team/unauthorized\nPut "http://r/v2/x": use of closed network connection';
    expect(classifyFailure(out)).toBe('transient');
  });
});

describe('a 401 in the middle of a retry sequence', () => {
  const policy = (log: string[]): RetryPolicy => ({
    retries: 5,
    totalMs: 60000,
    random: () => 0,
    sleep: async () => undefined,
    onRetry: (n, reason, _wait, scope) => log.push(`${n} ${scope}: ${reason}`),
    scope: '127.0.0.1:5203',
  });

  it('stops the retries at once, and says the registry refused', async () => {
    const outputs = ['received unexpected HTTP status: 503 Service Unavailable', 'received unexpected HTTP status: 503 Service Unavailable', `unauthorized: authentication required\n${progress}`, 'never reached'];
    const log: string[] = [];
    let calls = 0;
    const res = await withRetry(async () => ({ ok: false, output: outputs[calls++] }), policy(log));
    expect(res).toMatchObject({ ok: false, kind: 'auth', attempts: 3 });
    expect(calls).toBe(3);
    expect(log).toEqual(['1 127.0.0.1:5203: received unexpected HTTP status: 503 Service Unavailable', '2 127.0.0.1:5203: received unexpected HTTP status: 503 Service Unavailable']);
  });

  it('counts retries per registry in the job summary', () => {
    const r = newRecord();
    countRetry(r, '127.0.0.1:5203');
    countRetry(r, '127.0.0.1:5203');
    countRetry(r, 'GitHub API');
    expect(summaryMarkdown(r)).toContain('**Retries after network faults:** 127.0.0.1:5203 2, GitHub API 1');
    expect(summaryMarkdown(newRecord())).not.toContain('Retries');
  });
});
