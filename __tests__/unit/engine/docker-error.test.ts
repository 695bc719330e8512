import { describe, expect, it } from 'vitest';
import { dockerError } from '../../../src/engine/docker-error.js';

// stderr then stdout, as push.ts joins them; the first three were captured from docker 26 on this machine
const CASES: [string, string, string | undefined][] = [
  [
    'connection refused',
    'failed to do request: Head "https://127.0.0.1:5999/v2/wt13b/probe/blobs/sha256:80b8": dial tcp 127.0.0.1:5999: connect: connection refused\nThe push refers to repository [127.0.0.1:5999/wt13b/probe]\n80246648b803: Waiting\n',
    'failed to do request: Head "https://127.0.0.1:5999/v2/wt13b/probe/blobs/sha256:80b8": dial tcp 127.0.0.1:5999: connect: connection refused',
  ],
  [
    'no credentials',
    'push access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials\nThe push refers to repository [127.0.0.1:5000/e2e/wt13b-probe]\n80246648b803: Waiting\nf56aa25e573a: Waiting\n',
    'push access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials',
  ],
  ['a refused login', 'Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized\n', 'Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized'],
  [
    'a dropped connection',
    'Put "https://registry.example.com/v2/app/blobs/uploads/1?digest=sha256%3Aab": write tcp 10.1.0.4:51234->10.2.0.9:443: use of closed network connection\nThe push refers to repository [registry.example.com/app]\n5f70bf18a086: Pushing  1.2MB/2.6MB\n68c1ddeaf2bc: Waiting\n',
    'Put "https://registry.example.com/v2/app/blobs/uploads/1?digest=sha256%3Aab": write tcp 10.1.0.4:51234->10.2.0.9:443: use of closed network connection',
  ],
  ['Docker Hub denied', 'denied: requested access to the resource is denied\nThe push refers to repository [docker.io/acme/app]\n68c1ddeaf2bc: Preparing\n68c1ddeaf2bc: Waiting\n', 'denied: requested access to the resource is denied'],
  ['a registry JSON body', 'error parsing HTTP 403 response body: {"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}\n', 'error parsing HTTP 403 response body: DENIED: requested access to the resource is denied'],
  ['rate limited', 'toomanyrequests: too many requests, retry later\n68c1ddeaf2bc: Retrying in 5 seconds\n', 'toomanyrequests: too many requests, retry later'],
  ['a 500', 'received unexpected HTTP status: 500 Internal Server Error\n', 'received unexpected HTTP status: 500 Internal Server Error'],
  ['name unknown', 'name unknown: repository name not known to registry\n', 'name unknown: repository name not known to registry'],
  ['only progress', 'The push refers to repository [x/y]\n68c1ddeaf2bc: Waiting\n', undefined],
  ['a time-out text', 'push timed out', 'push timed out'],
  ['nothing', '', undefined],
];

describe('dockerError', () => {
  it.each(CASES)('%s', (_, output, want) => expect(dockerError(output)).toBe(want));
});
