import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builderEngineEnv, builderOutput, describeBuilder, parseBuildxInspect, pushesFromBuilder, type BuildxBuilder } from '../../../../src/builders/buildkit/buildx.js';
import { buildxArgs, type BuildSpec } from '../../../../src/builders/buildkit/args.js';
import { buildCacheArgs, effectiveCacheMode, pickLayerExport, type CacheModeInput } from '../../../../src/cache/layers.js';
import { createDockerConfig } from '../../../../src/engine/docker-config.js';
import { parseImageName } from '../../../../src/oci/name.js';
import { ROOT } from '../../../support/runner.ts';

const sample = (name: string): string => readFileSync(path.join(ROOT, '__tests__/fixtures/buildx-inspect', `${name}.txt`), 'utf8');

describe('docker buildx inspect, parsed', () => {
  it.each<[string, Partial<BuildxBuilder> | undefined]>([
    // captured on this machine's engine: a docker context, listed by buildx as a builder of the docker driver
    ['docker-local', { name: 'ip-probe1', driver: 'docker', endpoint: 'ip-probe1', status: 'running', platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3'], error: undefined }],
    // docker/setup-buildx-action's default builder
    ['docker-container', { name: 'builder-7f3b2c1e-9a0d-4c55-8e21-3c7d9b2f6a10', driver: 'docker-container', endpoint: 'unix:///var/run/docker.sock', status: 'running', platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/386'] }],
    // created but never bootstrapped: inspect without --bootstrap does not start it
    ['docker-container-inactive', { name: 'mybuilder', driver: 'docker-container', status: 'inactive', platforms: [], error: undefined }],
    ['remote', { name: 'remote-builder', driver: 'remote', endpoint: 'tcp://buildkitd.acme.internal:1234', status: 'running', platforms: ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6'] }],
    ['remote-unreachable', { driver: 'remote', endpoint: 'tcp://buildkitd.acme.internal:1234', status: undefined, error: expect.stringContaining('i/o timeout') as string }],
    // two nodes, one per architecture: the platforms of both
    ['kubernetes', { name: 'k8s-builder', driver: 'kubernetes', endpoint: 'kubernetes:///k8s-builder?deployment=buildkit-amd64&kubeconfig=', status: 'running', platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/arm64', 'linux/arm/v7'] }],
    ['cloud', { name: 'cloud-acme-default', driver: 'cloud', endpoint: 'cloud://acme/default_linux-amd64', status: 'running', platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/386', 'linux/arm64', 'linux/arm/v7', 'linux/arm/v6'] }],
  ])('%s', (name, want) => {
    expect(parseBuildxInspect(sample(name))).toMatchObject(want!);
  });

  it('is nothing without a Driver line (an error message, an empty answer)', () => {
    expect(parseBuildxInspect('ERROR: no builder "nope" found\n')).toBeUndefined();
    expect(parseBuildxInspect('')).toBeUndefined();
  });

  it('a builder-level Error line counts as the error', () => {
    expect(parseBuildxInspect('Name:   x\nDriver: remote\nError:  failed to find the remote endpoint\n\nNodes:\n')?.error).toBe('failed to find the remote endpoint');
  });
});

describe('what the driver means for the run', () => {
  const of = (name: string): BuildxBuilder => parseBuildxInspect(sample(name))!;
  it.each([
    ['docker-local', false],
    ['docker-container', true],
    ['remote', true],
    ['kubernetes', true],
    ['cloud', true],
  ])('%s pushes by itself: %s', (name, pushes) => {
    expect(pushesFromBuilder(of(name))).toBe(pushes);
  });

  it('no named builder: the job engine, as before', () => {
    expect(pushesFromBuilder(undefined)).toBe(false);
    expect(builderEngineEnv(undefined)).toEqual({});
  });

  it('a docker-driver builder is its context: the docker path runs on it, DOCKER_HOST cleared; other drivers keep the job engine', () => {
    expect(builderEngineEnv(of('docker-local'))).toEqual({ DOCKER_CONTEXT: 'ip-probe1', DOCKER_HOST: '' });
    expect(builderEngineEnv(of('remote'))).toEqual({});
    expect(builderEngineEnv(of('docker-container'))).toEqual({});
  });

  it('says where the image goes', () => {
    expect(describeBuilder(of('remote'), true)).toMatch(/"remote-builder" \(driver remote, endpoint tcp:\/\/buildkitd.acme.internal:1234, running, linux\/arm64.*pushes the image by digest straight to the registries \(no --load\)/);
    expect(describeBuilder(of('remote'), false)).toMatch(/nothing is pushed, so the image is loaded into the local engine \(--load\)/);
    expect(describeBuilder(of('docker-local'), true)).toMatch(/images go to that engine's store, then are pushed from it/);
  });
});

describe('cache-mode auto', () => {
  it.each<[CacheModeInput, boolean, boolean, string]>([
    ['auto', true, true, 'registry'],
    ['auto', false, true, 'actions'],
    ['auto', true, false, 'actions'],
    ['actions', true, true, 'actions'],
    ['registry', false, true, 'registry'],
  ])('%s, builder pushes itself %s, an image %s: %s', (mode, pushes, hasImage, want) => {
    expect(effectiveCacheMode(mode, pushes, hasImage)).toBe(want);
  });
});

describe('the buildx argv per driver (cache-mode auto, pushing)', () => {
  const images = [parseImageName('ghcr.io/acme/app', 'images'), parseImageName('127.0.0.1:5000/acme/app', 'images')];
  const base: BuildSpec = {
    context: '/ws',
    file: '/ws/Dockerfile',
    tags: [],
    labels: ['org.opencontainers.image.revision=abc'],
    buildArgs: [],
    target: '',
    platforms: ['linux/amd64', 'linux/arm64'],
    secrets: [],
    metadataFile: '/t/metadata.json',
    iidFile: '/t/iid',
    cacheArgs: [],
    provenance: 'false',
    network: '',
  };
  const dirs = { current: '/nonexistent/cache', next: '/t/cache-next' };
  const CONTAINERD = '[["driver-type","io.containerd.snapshotter.v1"]]';
  /** The argv as the run puts it together: --builder, the output of the driver, the cache of cache-mode auto. */
  function argv(sampleName: string, push: boolean, insecure: string[] = []): string[] {
    const b = parseBuildxInspect(sample(sampleName))!;
    const mode = effectiveCacheMode('auto', pushesFromBuilder(b), true);
    const exporter = pickLayerExport(b.driver, CONTAINERD).export!;
    const cacheArgs = buildCacheArgs(exporter, mode, { image: images[0].name, tags: [`${images[0].name}:v1`], dirs: mode === 'actions' ? dirs : undefined }, push);
    const output = builderOutput(b, push, images, insecure);
    return buildxArgs({ ...base, tags: output ? [] : ['image-publish-local/run-0:build'], builder: b.name, output, cacheArgs });
  }
  const tail = ['--file', '/ws/Dockerfile', '--iidfile', '/t/iid'];
  const pushed = 'type=image,"name=ghcr.io/acme/app,127.0.0.1:5000/acme/app",push-by-digest=true,name-canonical=true,push=true';
  const registryCache = ['--cache-from', 'type=registry,ref=ghcr.io/acme/app:buildcache', '--cache-to', 'type=registry,ref=ghcr.io/acme/app:buildcache,mode=max'];
  const rest = ['--label', 'org.opencontainers.image.revision=abc', '--platform', 'linux/amd64,linux/arm64', '--', '/ws'];

  it.each([
    ['docker-container', 'builder-7f3b2c1e-9a0d-4c55-8e21-3c7d9b2f6a10'],
    ['remote', 'remote-builder'],
    ['kubernetes', 'k8s-builder'],
    ['cloud', 'cloud-acme-default'],
  ])('%s: pushes by digest to every image from the builder, cache in the registry', (driver, name) => {
    expect(argv(driver, true)).toEqual(['buildx', 'build', '--builder', name, '--progress', 'plain', '--output', pushed, '--provenance', 'false', '--metadata-file', '/t/metadata.json', ...registryCache, ...tail, ...rest]);
  });

  it('docker (a context): loads into its engine under the run name, Actions cache, as without a name', () => {
    expect(argv('docker-local', true)).toEqual([
      'buildx', 'build', '--builder', 'ip-probe1', '--progress', 'plain', '--load', '--provenance', 'false', '--metadata-file', '/t/metadata.json',
      '--cache-to', 'type=local,dest=/t/cache-next,mode=max', ...tail, '--tag', 'image-publish-local/run-0:build', ...rest,
    ]);
  });

  it('a remote builder and an insecure registry: registry.insecure on the exporter, not the engine', () => {
    expect(argv('remote', true, ['127.0.0.1:5000'])).toContain(`${pushed},registry.insecure=true`);
    expect(argv('remote', true, ['other:5000'])).toContain(pushed);
  });

  it('a remote builder that does not push: --load, as before, and the registry cache only read', () => {
    const a = argv('remote', false);
    expect(a).toContain('--load');
    expect(a).not.toContain('--output');
    expect(a).toEqual(expect.arrayContaining(['--cache-from', 'type=registry,ref=ghcr.io/acme/app:buildcache']));
    expect(a).not.toContain('--cache-to');
  });
});

describe("the login stage's own Docker config, which serves buildx too", () => {
  it('holds no credential of the user, and shows their CLI plugins, buildx builders and docker contexts (a docker-driver builder is a context)', () => {
    const user = mkdtempSync(path.join(os.tmpdir(), 'user-docker-'));
    for (const sub of ['cli-plugins', 'buildx/instances', 'contexts/meta']) mkdirSync(path.join(user, sub), { recursive: true });
    writeFileSync(path.join(user, 'config.json'), '{"auths":{"ghcr.io":{"auth":"dTpw"}}}');
    const dir = createDockerConfig(mkdtempSync(path.join(os.tmpdir(), 'runner-temp-')), user);
    expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{}\n');
    for (const sub of ['cli-plugins', 'buildx', 'contexts']) expect(realpathSync(path.join(dir, sub))).toBe(realpathSync(path.join(user, sub)));
  });
});
