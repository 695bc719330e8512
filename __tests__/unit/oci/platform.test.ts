import { describe, expect, it } from 'vitest';
import { normalPlatformName, platformName } from '../../../src/oci/manifest.ts';

describe('platform names, as written and as containerd normalises them', () => {
  it.each([
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8', 'linux/arm64'],
    [{ os: 'linux', architecture: 'arm64' }, 'linux/arm64', 'linux/arm64'],
    [{ os: 'linux', architecture: 'arm64', variant: 'v9' }, 'linux/arm64/v9', 'linux/arm64/v9'],
    [{ os: 'linux', architecture: 'amd64', variant: 'v1' }, 'linux/amd64/v1', 'linux/amd64'],
    [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, 'linux/amd64/v3', 'linux/amd64/v3'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7', 'linux/arm/v7'],
    [{ os: 'linux', architecture: 'arm', variant: 'v8' }, 'linux/arm/v8', 'linux/arm/v8'],
  ])('%j is %s, normalised %s', (p, name, normal) => {
    expect(platformName(p)).toBe(name);
    expect(normalPlatformName(p)).toBe(normal);
  });
});
