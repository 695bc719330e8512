import { describe, expect, it } from 'vitest';
import { buildKitBaseArgs, familiarName, qualifiedBaseName, type ResolvedBase } from '../../../src/builders/base.js';
import { runnerPlatform } from '../../../src/inputs/platform.js';

const sha = (c: string): string => `sha256:${c.repeat(64)}`;

describe('base names', () => {
  it.each([
    ['127.0.0.1:5000/base/jre:17', '127.0.0.1:5000/base/jre:17', '127.0.0.1:5000/base/jre:17'],
    ['eclipse-temurin:17', 'docker.io/library/eclipse-temurin:17', 'eclipse-temurin:17'],
    ['alpine', 'docker.io/library/alpine:latest', 'alpine'],
    ['docker.io/acme/jre:21', 'docker.io/acme/jre:21', 'acme/jre:21'],
    ['ghcr.io/acme/jre', 'ghcr.io/acme/jre:latest', 'ghcr.io/acme/jre'],
    [`jre@${sha('a')}`, `docker.io/library/jre@${sha('a')}`, `jre@${sha('a')}`],
  ])('%s: qualified %s, as BuildKit looks it up %s', (ref, qualified, familiar) => {
    expect(qualifiedBaseName(ref)).toBe(qualified);
    expect(familiarName(ref)).toBe(familiar);
  });
});

const base: ResolvedBase = {
  name: '127.0.0.1:5000/base/jre:17',
  digest: sha('i'),
  platforms: [
    { platform: 'linux/amd64', digest: sha('a'), config: sha('c') },
    { platform: 'linux/arm64', digest: sha('b'), config: sha('d') },
  ],
};

describe('the BuildKit pin', () => {
  it('pins the FROM to the digest read', () => {
    expect(buildKitBaseArgs(base, true)).toEqual(['--build-context', `127.0.0.1:5000/base/jre:17=docker-image://127.0.0.1:5000/base/jre@${sha('i')}`]);
    expect(buildKitBaseArgs({ ...base, name: `127.0.0.1:5000/base/jre@${sha('i')}` }, false)).toEqual([]);
  });
});

describe('runnerPlatform: node arch as the OCI platform', () => {
  it.each([
    ['x64', undefined, 'linux/amd64'],
    ['arm64', undefined, 'linux/arm64'],
    ['arm', '7', 'linux/arm/v7'],
    ['arm', '6', 'linux/arm/v6'],
    ['ia32', undefined, 'linux/386'],
    ['ppc64', undefined, 'linux/ppc64le'],
    ['s390x', undefined, 'linux/s390x'],
    ['riscv64', undefined, 'linux/riscv64'],
  ])('%s (arm v%s) -> %s', (arch, v, want) => expect(runnerPlatform(arch, v)).toBe(want));
  it('refuses an arch with no OCI name, naming platforms', () => expect(() => runnerPlatform('wasm32')).toThrow('set `platforms`'));
  it('this runner has one', () => expect(runnerPlatform()).toMatch(/^linux\/[a-z0-9]+(\/v\d)?$/));
});
