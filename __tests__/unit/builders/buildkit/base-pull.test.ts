import { describe, expect, it } from 'vitest';
import { basePullFailure, registryOf } from '../../../../src/builders/buildkit/base-pull.js';
import { fetchFailure } from '../../../../src/retry/fetch.js';
import { classifyStatus } from '../../../../src/retry/classify.js';

const head = '#0 building with "default" instance using docker driver\n\n#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n\n';
const metadataFailed = (error: string) =>
  `${head}#2 [internal] load metadata for 127.0.0.1:5000/base/jre:17\n#2 ERROR: ${error}\n------\n > [internal] load metadata for 127.0.0.1:5000/base/jre:17:\n------\nDockerfile:2\n--------------------\n   2 | >>> FROM \${BASE_IMAGE}\n--------------------\nERROR: failed to solve: 127.0.0.1:5000/base/jre:17: failed to resolve source metadata for 127.0.0.1:5000/base/jre:17: ${error}\n`;
const fromFailed = (error: string) =>
  `${head}#6 [1/2] FROM 127.0.0.1:37787/e2e/base:1@sha256:78661bb7\n#6 sha256:42645b93 1.05MB / 3.00MB 0.2s\n#6 ERROR: ${error}\n------\n > [1/2] FROM 127.0.0.1:37787/e2e/base:1@sha256:78661bb7:\n------\nERROR: failed to solve: ${error}\n`;
const pinnedLayerFailed = (error: string) =>
  `${head}#5 [context 127.0.0.1:37587/e2e/base:1] 127.0.0.1:37587/e2e/base@sha256:ed37c1c2\n#5 sha256:6c410a84 0B / 3.15MB\n#7 [1/2] COPY payload.bin /payload.bin\n#7 ERROR: ${error}\n------\n > [1/2] COPY payload.bin /payload.bin:\n------\nERROR: failed to solve: failed to compute cache key: ${error}\n`;
const runFailed = (error: string) => `${head}#7 [2/3] RUN curl -fsS https://example.com/x\n#7 ERROR: ${error}\n------\n > [2/3] RUN curl -fsS https://example.com/x:\n------\nERROR: failed to solve: process "/bin/sh -c curl" did not complete successfully: ${error}\n`;

describe('a build retried only for a transient fault in pulling its base', () => {
  it.each([
    ['a 503 resolving the base', metadataFailed('unexpected status from HEAD request to http://127.0.0.1:5000/v2/base/jre/manifests/17: 503 Service Unavailable'), '127.0.0.1:5000'],
    ['a reset resolving the base', metadataFailed('failed to do request: Head "http://127.0.0.1:5000/v2/base/jre/manifests/17": read tcp 127.0.0.1:1->127.0.0.1:5000: read: connection reset by peer'), '127.0.0.1:5000'],
    ['an EOF resolving the base', metadataFailed('failed to do request: Head "http://127.0.0.1:5000/v2/base/jre/manifests/17": EOF'), '127.0.0.1:5000'],
    ['a 429 resolving the base', metadataFailed('unexpected status from HEAD request to http://127.0.0.1:5000/v2/base/jre/manifests/17: 429 Too Many Requests'), '127.0.0.1:5000'],
    ['a cut layer download', fromFailed('failed to copy: httpReadSeeker: failed open: failed to do request: Get "http://127.0.0.1:37787/v2/e2e/base/blobs/sha256:42645b93": unexpected EOF'), '127.0.0.1:37787'],
    ['a 503 for a pinned base\'s layer, fetched by the first COPY', pinnedLayerFailed('failed to copy: httpReadSeeker: failed open: unexpected status code https://127.0.0.1:37587/v2/e2e/base/blobs/sha256:6c410a84aaa2306968daa5ea734d18ea88967c6f8df16986cb030b88bead137d: 503 Service Unavailable - Server message: unavailable: not now'), '127.0.0.1:37587'],
  ])('%s: retried', (_, output, registry) => expect(basePullFailure(output)?.registry).toBe(registry));

  it.each([
    ['a 401 resolving the base', metadataFailed('unexpected status from HEAD request to http://127.0.0.1:5000/v2/base/jre/manifests/17: 401 Unauthorized')],
    ['a base that does not exist', metadataFailed('127.0.0.1:5000/base/jre:18: not found')],
    ['a RUN step that lost its network', runFailed('connection reset by peer')],
    ['a 401 for a pinned base\'s layer', pinnedLayerFailed('failed to copy: httpReadSeeker: failed open: unexpected status code https://127.0.0.1:37587/v2/e2e/base/blobs/sha256:6c410a84aaa2306968daa5ea734d18ea88967c6f8df16986cb030b88bead137d: 401 Unauthorized')],
    ['a RUN step whose command fetched a blob and got a 503', runFailed('failed to copy: httpReadSeeker: failed open: unexpected status code https://r.example/v2/x/blobs/sha256:6c41: 503 Service Unavailable')],
    ['a Dockerfile error', `${head}ERROR: failed to solve: dockerfile parse error on line 3: unknown instruction: COPPY\n`],
    ['nothing', ''],
  ])('%s: not retried', (_, output) => expect(basePullFailure(output)).toBeUndefined());

  it.each([
    ['127.0.0.1:5000/base/jre:17', '127.0.0.1:5000'],
    ['registry.example.com/team/app:1', 'registry.example.com'],
    ['localhost/app', 'localhost'],
    ['eclipse-temurin:17', 'docker.io'],
    ['acme/base:1', 'docker.io'],
    ['docker.io/library/eclipse-temurin:17', 'docker.io'],
  ])('the registry of %s is %s', (ref, want) => expect(registryOf(ref)).toBe(want));
});

describe('fetch failures as the retry table reads them', () => {
  const failed = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code }) });
  it.each([
    [failed('ECONNRESET'), 'fetch failed: ECONNRESET'],
    [failed('ECONNREFUSED'), 'fetch failed: ECONNREFUSED'],
    [Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), 'The operation was aborted due to timeout (timed out)'],
    [new TypeError('terminated', { cause: new Error('other side closed') }), 'terminated: other side closed'],
    ['a string', 'a string'],
  ])('%s -> %s', (e, want) => expect(fetchFailure(e)).toBe(want));

  it.each([
    [500, true],
    [502, true],
    [503, true],
    [429, true],
    [408, true],
    [401, false],
    [403, false],
    [404, false],
    [200, false],
  ])('HTTP %i transient: %s', (status, want) => expect(classifyStatus(status) === 'transient').toBe(want));
});
