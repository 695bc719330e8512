import { describe, expect, it } from 'vitest';
import { checkPlatforms, platformProblem } from '../../../src/inputs/platform.js';

describe('platformProblem', () => {
  it.each(['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm64/v8', 'linux/amd64/v3', 'linux/s390x', 'linux/ppc64le', 'linux/riscv64', 'windows/amd64', 'linux/386', 'linux/x86_64', 'linux/aarch64', 'Linux/AMD64'])('takes %s', (p) =>
    expect(platformProblem(p)).toBeUndefined(),
  );
  it.each([
    ['linux/foo', 'linux has no architecture "foo"'],
    ['linux', 'write it as os/architecture'],
    ['linux/', 'write it as os/architecture'],
    ['linux/arm/v7/x', 'write it as os/architecture'],
    ['foo/amd64', 'unknown operating system "foo"'],
    ['linux/arm/v9', 'arm has no variant "v9"'],
    ['linux/amd64/v5', 'amd64 has no variant "v5"'],
    ['linux/s390x/v1', 's390x has no variants'],
    ['darwin/s390x', 'darwin has no architecture "s390x"'],
  ])('refuses %s', (p, why) => expect(platformProblem(p)).toContain(why));
});

describe('checkPlatforms', () => {
  it('names the input and the platform', () => {
    expect(checkPlatforms(['linux/amd64', 'linux/arm64'])).toEqual(['linux/amd64', 'linux/arm64']);
    expect(() => checkPlatforms(['linux/amd64', 'linux/foo'])).toThrow(`Input 'platforms': "linux/foo" is not a platform: linux has no architecture "foo"`);
  });
});
