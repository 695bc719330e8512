import { describe, expect, it } from 'vitest';
import { childConfig, type ConfigChange, type ImageConfig, type Step } from '../../../src/oci/config.js';
import { childIndex, childManifest, pickPlatforms, type Index, type Manifest } from '../../../src/oci/manifest.js';
import { MEDIA } from '../../../src/oci/media.js';

const base: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['PATH=/usr/bin', 'JAVA_HOME=/jdk'], Cmd: ['sh'], WorkingDir: '/', Labels: { base: 'yes' }, OnBuild: null },
  rootfs: { type: 'layers', diff_ids: ['sha256:base'] },
  history: [{ created_by: 'import' }],
};

const step = (change: ConfigChange, createdBy = 'X'): Step => ({ createdBy, change, layer: false });

describe('childConfig follows BuildKit', () => {
  it.each<[string, ConfigChange[], Record<string, unknown>]>([
    ['ENV replaces a key in place and appends new ones', [{ kind: 'env', pairs: [['JAVA_HOME', '/j2'], ['A', '1']] }], { Env: ['PATH=/usr/bin', 'JAVA_HOME=/j2', 'A=1'] }],
    ['CMD then ENTRYPOINT keeps the CMD, and a CMD marks ArgsEscaped', [{ kind: 'cmd', args: ['--x'] }, { kind: 'entrypoint', args: ['java'] }], { Entrypoint: ['java'], Cmd: ['--x'], ArgsEscaped: true }],
    ['shell form runs under /bin/sh -c', [{ kind: 'entrypoint', args: ['java -jar app.jar'], shellForm: true }], { Entrypoint: ['/bin/sh', '-c', 'java -jar app.jar'] }],
    ['shell form runs under SHELL', [{ kind: 'shell', shell: ['/bin/bash', '-c'] }, { kind: 'cmd', args: ['run'], shellForm: true }], { Cmd: ['/bin/bash', '-c', 'run'], Shell: ['/bin/bash', '-c'] }],
    ['LABEL merges', [{ kind: 'label', pairs: [['a', 'b']] }], { Labels: { base: 'yes', a: 'b' } }],
    ['EXPOSE and VOLUME add keys', [{ kind: 'expose', ports: ['8080/tcp'] }, { kind: 'volume', paths: ['/tmp'] }], { ExposedPorts: { '8080/tcp': {} }, Volumes: { '/tmp': {} } }],
    ['USER, WORKDIR, STOPSIGNAL', [{ kind: 'user', user: '1000' }, { kind: 'workdir', path: '/app' }, { kind: 'stopsignal', signal: 'SIGINT' }], { User: '1000', WorkingDir: '/app', StopSignal: 'SIGINT' }],
    ['HEALTHCHECK', [{ kind: 'healthcheck', check: { Test: ['CMD-SHELL', 'true'], Interval: 30e9 } }], { Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30e9 } }],
  ])('%s', (_, changes, want) => {
    const c = childConfig(base, { steps: changes.map((ch) => step(ch)), diffIds: [], labels: [], created: '2024-01-01T00:00:00Z' });
    expect(c.config).toMatchObject(want);
    expect(c.config).not.toHaveProperty('OnBuild');
  });

  it('ENTRYPOINT drops an inherited CMD (the key goes, as BuildKit writes it)', () => {
    const c = childConfig(base, { steps: [step({ kind: 'entrypoint', args: ['java'] })], diffIds: [], labels: [], created: '' });
    expect(c.config).not.toHaveProperty('Cmd');
    expect(c.config).not.toHaveProperty('ArgsEscaped');
    expect(c.config!.Entrypoint).toEqual(['java']);
  });

  it('appends history and diff_ids, marks empty layers, applies input labels last', () => {
    const steps: Step[] = [step({ kind: 'label', pairs: [['v', '1']] }, 'LABEL v=1'), { createdBy: 'COPY a /a # buildkit', layer: true }, step({ kind: 'cmd', args: ['a', 'b'] }, 'CMD')];
    const c = childConfig(base, { steps, diffIds: ['sha256:new'], labels: [['v', '2']], created: '2024-01-01T00:00:00Z' });
    expect(c.rootfs.diff_ids).toEqual(['sha256:base', 'sha256:new']);
    expect(c.history!.slice(1)).toEqual([
      { created: '2024-01-01T00:00:00Z', created_by: 'LABEL v=1', comment: 'buildkit.dockerfile.v0', empty_layer: true },
      { created: '2024-01-01T00:00:00Z', created_by: 'COPY a /a # buildkit', comment: 'buildkit.dockerfile.v0' },
      { created: '2024-01-01T00:00:00Z', created_by: 'CMD ["a" "b"]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
    ]);
    expect(c.config!.Labels).toEqual({ base: 'yes', v: '2' });
    expect(c.created).toBe('2024-01-01T00:00:00Z');
  });

  it('refuses a layer count that does not match', () => {
    expect(() => childConfig(base, { steps: [{ createdBy: 'COPY', layer: true }], diffIds: [], labels: [], created: '' })).toThrow(/1 layer steps but 0/);
  });
});

describe('manifests and indexes', () => {
  const baseManifest: Manifest = { schemaVersion: 2, config: { mediaType: MEDIA.dockerConfig, digest: 'sha256:c', size: 1 }, layers: [{ mediaType: MEDIA.dockerLayer, digest: 'sha256:l1', size: 10 }] };

  it.each([
    ['docker', MEDIA.dockerManifest, MEDIA.dockerConfig, MEDIA.dockerLayer],
    ['oci', MEDIA.ociManifest, MEDIA.ociConfig, MEDIA.ociLayer],
  ] as const)('a %s child keeps the base layers verbatim and adds its own', (flavor, mt, ct, lt) => {
    const m = childManifest(baseManifest, flavor, { digest: 'sha256:nc', size: 5 }, [{ digest: 'sha256:n1', size: 7 }]);
    expect(m).toEqual({ schemaVersion: 2, mediaType: mt, config: { mediaType: ct, digest: 'sha256:nc', size: 5 }, layers: [baseManifest.layers[0], { mediaType: lt, digest: 'sha256:n1', size: 7 }] });
  });

  const index: Index = {
    schemaVersion: 2,
    manifests: [
      { mediaType: MEDIA.ociManifest, digest: 'sha256:a', size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MEDIA.ociManifest, digest: 'sha256:b', size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.features': ['x'] } },
      { mediaType: MEDIA.ociManifest, digest: 'sha256:att', size: 1, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
    ],
  };

  it.each([
    [['linux/amd64'], ['sha256:a']],
    [['linux/arm64', 'linux/amd64'], ['sha256:b', 'sha256:a']],
    [['linux/arm64/v8'], ['sha256:b']],
  ])('picks %j', (want, digests) => expect(pickPlatforms(index, want).map((d) => d.digest)).toEqual(digests));

  it('names the platforms the base has when one is missing, never the attestation', () => {
    expect(() => pickPlatforms(index, ['linux/s390x'])).toThrow('the base image has no linux/s390x platform; it has linux/amd64, linux/arm64/v8');
  });

  it('carries annotations (the base ones) on OCI manifests and indexes, never on Docker schema 2', () => {
    const a = { 'org.opencontainers.image.base.name': 'r/jre:17', 'org.opencontainers.image.base.digest': 'sha256:b' };
    expect(childManifest(baseManifest, 'oci', { digest: 'sha256:nc', size: 5 }, [], a).annotations).toEqual(a);
    expect(childManifest(baseManifest, 'docker', { digest: 'sha256:nc', size: 5 }, [], a).annotations).toBeUndefined();
    expect(childIndex('oci', [], a).annotations).toEqual(a);
    expect(childIndex('docker', [], a).annotations).toBeUndefined();
    expect(childManifest(baseManifest, 'oci', { digest: 'sha256:nc', size: 5 }, []).annotations).toBeUndefined();
  });

  it('copies platform objects verbatim into the index, typed like the base', () => {
    const i = childIndex('docker', [{ digest: 'sha256:x', size: 3, platform: index.manifests[1].platform! }]);
    expect(i.mediaType).toBe(MEDIA.dockerList);
    expect(i.manifests[0]).toEqual({ mediaType: MEDIA.dockerManifest, digest: 'sha256:x', size: 3, platform: { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.features': ['x'] } });
  });
});
