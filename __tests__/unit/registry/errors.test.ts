import { describe, expect, it } from 'vitest';
import { certificateProblem, describeAnswer, notTls } from '../../../src/registry/errors.js';
import { classifyNetwork, classifyStatus } from '../../../src/retry/classify.js';
import { digestOf, isDigest, verifyDigest } from '../../../src/oci/digest.js';
import { mediaTypeOf } from '../../../src/registry/client.js';
import { withDigest } from '../../../src/registry/upload.js';

describe('classifyStatus: only what can change by asking again is transient', () => {
  it.each([
    [500, [], 'transient'],
    [502, [], 'transient'],
    [503, ['UNAVAILABLE'], 'transient'],
    [504, [], 'transient'],
    [429, ['TOOMANYREQUESTS'], 'transient'],
    [408, [], 'transient'],
    [401, ['UNAUTHORIZED'], 'auth'],
    [403, ['DENIED'], 'auth'],
    [403, [], 'auth'],
    [400, ['DENIED'], 'auth'],
    [500, ['UNAUTHORIZED'], 'auth'],
    [404, ['NAME_UNKNOWN'], 'fatal'],
    [404, ['MANIFEST_UNKNOWN'], 'fatal'],
    [400, ['MANIFEST_INVALID'], 'fatal'],
    [400, ['DIGEST_INVALID'], 'fatal'],
    [404, ['BLOB_UNKNOWN'], 'fatal'],
    [503, ['NAME_UNKNOWN'], 'fatal'],
    [400, [], 'fatal'],
    [405, [], 'fatal'],
  ] as const)('%i %j -> %s', (status, codes, want) => expect(classifyStatus(status, codes)).toBe(want));
});

describe('classifyNetwork', () => {
  it.each([
    ['ECONNREFUSED', 'transient'],
    ['ECONNRESET', 'transient'],
    ['EPIPE', 'transient'],
    ['ETIMEDOUT', 'transient'],
    ['EAI_AGAIN', 'transient'],
    ['STALL', 'transient'],
    ['TIMEOUT', 'transient'],
    ['EOF', 'transient'],
    ['TLS_HANDSHAKE_TIMEOUT', 'transient'],
    ['ENOTFOUND', 'fatal'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'fatal'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'fatal'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'fatal'],
    ['EPROTO', 'fatal'],
  ])('%s -> %s', (code, want) => expect(classifyNetwork(code)).toBe(want));

  it.each([
    ['EPROTO', true, false],
    ['ERR_SSL_WRONG_VERSION_NUMBER', true, false],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG', true, false],
    ['SELF_SIGNED_CERT_IN_CHAIN', false, true],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', false, true],
    ['CERT_HAS_EXPIRED', false, true],
    ['ECONNRESET', false, false],
  ])('%s: not TLS %s, certificate %s', (code, plain, cert) => {
    expect(notTls(code)).toBe(plain);
    expect(certificateProblem(code)).toBe(cert);
  });

  it('describes an answer by its first error code', () => {
    expect(describeAnswer(404, [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }])).toBe('HTTP 404 NAME_UNKNOWN: repository name not known to registry');
    expect(describeAnswer(503, [])).toBe('HTTP 503');
  });
});

describe('digests', () => {
  const bytes = Buffer.from('hello');
  const d = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
  it('hashes and verifies', () => {
    expect(digestOf(bytes)).toBe(d);
    expect(digestOf(bytes, 'sha512')).toMatch(/^sha512:[a-f0-9]{128}$/);
    expect(() => verifyDigest(d, bytes, 'x')).not.toThrow();
    expect(() => verifyDigest(digestOf(bytes, 'sha512'), bytes, 'x')).not.toThrow();
    expect(() => verifyDigest(d, Buffer.from('hellO'), 'manifest a:b')).toThrow(/manifest a:b: digest mismatch, expected sha256:2cf2/);
    expect(() => verifyDigest('md5:abc', bytes, 'x')).toThrow(/not a sha256 or sha512 digest/);
  });
  it.each([
    [d, true],
    ['v1', false],
    ['sha256:ABC', false],
    [`${d}0`, false],
  ])('isDigest %s', (ref, want) => expect(isDigest(ref)).toBe(want));
});

describe('small helpers', () => {
  it.each([
    ['/v2/a/blobs/uploads/u?_state=x%3D', 'sha256:ab', '/v2/a/blobs/uploads/u?_state=x%3D&digest=sha256%3Aab'],
    ['https://r.test/v2/a/blobs/uploads/u', 'sha256:ab', 'https://r.test/v2/a/blobs/uploads/u?digest=sha256%3Aab'],
  ])('withDigest %s', (location, digest, want) => expect(withDigest(location, digest)).toBe(want));

  it.each([
    ['application/vnd.oci.image.manifest.v1+json', '{}', 'application/vnd.oci.image.manifest.v1+json'],
    ['application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8', '{}', 'application/vnd.docker.distribution.manifest.list.v2+json'],
    ['application/json', '{"mediaType":"application/vnd.oci.image.index.v1+json"}', 'application/vnd.oci.image.index.v1+json'],
    [undefined, '{"schemaVersion":2,"manifests":[]}', 'application/vnd.oci.image.index.v1+json'],
    [undefined, '{"schemaVersion":2,"layers":[]}', 'application/vnd.oci.image.manifest.v1+json'],
  ])('mediaTypeOf %s %s', (type, body, want) => expect(mediaTypeOf(type, Buffer.from(body))).toBe(want));
});
