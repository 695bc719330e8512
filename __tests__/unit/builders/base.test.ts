import { describe, expect, it } from 'vitest';
import { baseAnnotations, buildKitBaseArgs, familiarName, qualifiedBaseName, type ResolvedBase } from '../../../src/builders/base.js';
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

describe('base annotations', () => {
  it('name the platform manifest on a manifest, the resolved digest on the index', () => {
    expect(baseAnnotations(base, 'linux/arm64')).toEqual({ 'org.opencontainers.image.base.name': base.name, 'org.opencontainers.image.base.digest': sha('b') });
    expect(baseAnnotations(base)).toEqual({ 'org.opencontainers.image.base.name': base.name, 'org.opencontainers.image.base.digest': sha('i') });
  });

  it('BuildKit: pinned to the digest read, annotated per platform and on the index', () => {
    expect(buildKitBaseArgs(base, true)).toEqual([
      '--build-context', `127.0.0.1:5000/base/jre:17=docker-image://127.0.0.1:5000/base/jre@${sha('i')}`,
      '--annotation', `manifest[linux/amd64]:org.opencontainers.image.base.name=${base.name}`,
      '--annotation', `manifest[linux/amd64]:org.opencontainers.image.base.digest=${sha('a')}`,
      '--annotation', `manifest[linux/arm64]:org.opencontainers.image.base.name=${base.name}`,
      '--annotation', `manifest[linux/arm64]:org.opencontainers.image.base.digest=${sha('b')}`,
      '--annotation', `index:org.opencontainers.image.base.name=${base.name}`,
      '--annotation', `index:org.opencontainers.image.base.digest=${sha('i')}`,
    ]);
    const one = { ...base, platforms: [base.platforms[0]] };
    expect(buildKitBaseArgs(one, false).filter((a) => a.startsWith('manifest') || a.startsWith('index'))).toEqual([
      `manifest:org.opencontainers.image.base.name=${base.name}`,
      `manifest:org.opencontainers.image.base.digest=${sha('a')}`,
    ]);
  });

  it('a base named by digest needs no pin', () => {
    const pinned = { ...base, name: `127.0.0.1:5000/base/jre@${sha('i')}`, platforms: [base.platforms[0]] };
    expect(buildKitBaseArgs(pinned, false)).not.toContain('--build-context');
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
