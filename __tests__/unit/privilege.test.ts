import { describe, expect, it } from 'vitest';
import { childEnv } from '../../src/exec.js';
import { untrustedCheckout } from '../../src/github.js';
import { isOwnPush } from '../../src/builders/buildkit/own.js';
import { nextLink, realmAllowed } from '../../src/registry/headers.js';

describe('the environment a child process gets', () => {
  const runner: NodeJS.ProcessEnv = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    JAVA_HOME: '/jdk',
    JAVA_HOME_17_X64: '/jdk17',
    MAVEN_OPTS: '-Xmx1g',
    GRADLE_USER_HOME: '/g',
    GRADLE_OPTS: '-Dx=1',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    https_proxy: 'http://proxy:3128',
    NO_PROXY: 'localhost',
    TMPDIR: '/tmp',
    RUNNER_TEMP: '/rt',
    RUNNER_OS: 'Linux',
    GITHUB_SHA: 'abc',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_WORKSPACE: '/ws',
    DOCKER_HOST: 'unix:///var/run/docker.sock',
    BUILDX_BUILDER: 'b',
    CI: 'true',
  };
  const secret: NodeJS.ProcessEnv = {
    INPUT_PASSWORD: 'p',
    INPUT_SECRETS: 'token=s',
    'INPUT_REGISTRY-AUTH': '- registry: x',
    'INPUT_GITHUB-TOKEN': 'ghs_x',
    ACTIONS_RUNTIME_TOKEN: 'rt',
    ACTIONS_RUNTIME_URL: 'https://r',
    ACTIONS_CACHE_URL: 'https://c',
    ACTIONS_RESULTS_URL: 'https://res',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc',
    GITHUB_TOKEN: 'ghs_y',
    GITHUB_STATE: '/rt/state',
    GITHUB_OUTPUT: '/rt/out',
    GITHUB_ENV: '/rt/env',
    GITHUB_PATH: '/rt/path',
    GITHUB_STEP_SUMMARY: '/rt/sum',
    STATE_image_publish: '{}',
    NPM_TOKEN: 'n',
    MY_PASSWORD: 'm',
    RUNNER_SECRET_THING: 'x',
    AWS_SECRET_ACCESS_KEY: 'a',
    RANDOM_VARIABLE: 'r',
  };
  it.each(Object.keys(runner))('passes %s', (k) => expect(childEnv({ ...runner, ...secret })[k]).toBe(runner[k]));
  it.each(Object.keys(secret))('withholds %s', (k) => expect(childEnv({ ...runner, ...secret })).not.toHaveProperty(k));
});

describe('pull_request_target and the checked-out commit', () => {
  const base = 'a'.repeat(40);
  it.each([
    ['pull_request_target', base, undefined],
    ['pull_request_target', 'b'.repeat(40), 'the workspace holds bbbbbbbbbbbb, not the base commit aaaaaaaaaaaa'],
    ['pull_request_target', undefined, 'the workspace HEAD could not be read, so it may not be the base commit'],
    ['pull_request', 'b'.repeat(40), undefined],
    ['push', undefined, undefined],
  ] as const)('%s with HEAD %s -> %s', (event, head, want) => expect(untrustedCheckout(event, base, head)).toBe(want));
});

describe('where the tag lister goes with credentials', () => {
  const page = 'http://127.0.0.1:5000/v2/a/tags/list?n=1000';
  it.each([
    ['</v2/a/tags/list?n=1000&last=x>; rel="next"', 'http://127.0.0.1:5000/v2/a/tags/list?n=1000&last=x'],
    ['<http://127.0.0.1:5000/v2/a/tags/list?last=y>; rel=next', 'http://127.0.0.1:5000/v2/a/tags/list?last=y'],
    [null, undefined],
    ['<http://127.0.0.1:5000/x>; rel="prev"', undefined],
  ] as const)('Link %s -> %s', (link, want) => expect(nextLink(link ?? undefined, page)).toBe(want));

  it.each([
    '<http://127.0.0.1:5999/v2/a/tags/list>; rel="next"',
    '<https://127.0.0.1:5000/v2/a/tags/list>; rel="next"',
    '<http://evil.example/v2/a/tags/list>; rel="next"',
    '<//evil.example/v2/a/tags/list>; rel="next"',
  ])('does not follow %s to another origin', (link) => expect(() => nextLink(link, page)).toThrow('another origin'));

  it.each([
    ['https://registry.example/v2/a/tags/list', 'https://registry.example/token', true],
    ['https://registry-1.docker.io/v2/a/tags/list', 'https://auth.docker.io/token', true],
    ['http://127.0.0.1:5000/v2/a/tags/list', 'http://127.0.0.1:5000/token', true],
    ['http://127.0.0.1:5000/v2/a/tags/list', 'http://127.0.0.1:5001/token', true],
    ['http://[::1]:5001/v2/a/tags/list', 'http://localhost:9000/token', true],
    ['https://registry.example/v2/a/tags/list', 'http://auth.example/token', false],
    ['http://127.0.0.1:5000/v2/a/tags/list', 'http://10.0.0.8/token', false],
    ['https://registry.example/v2/a/tags/list', 'ftp://registry.example/token', false],
  ] as const)('registry %s, realm %s -> %s', (registry, realm, want) => expect(realmAllowed(new URL(realm), new URL(registry).origin)).toBe(want));
});

describe("the pushed image is this run's own", () => {
  const mine = `sha256:${'1'.repeat(64)}`;
  const config = `sha256:${'2'.repeat(64)}`;
  const theirs = `sha256:${'3'.repeat(64)}`;
  it.each([
    // containerd store: the image ID is the manifest digest
    ['127.0.0.1:5000/a/b', mine, { imageId: mine }, [], true],
    ['127.0.0.1:5000/a/b', theirs, { imageId: mine }, [`127.0.0.1:5000/a/b@${mine}`], false],
    // buildx reports the manifest digest
    ['127.0.0.1:5000/a/b', mine, { imageId: config, manifestDigest: mine }, [], true],
    // classic store: the engine records repo@digest on the image it pushed
    ['127.0.0.1:5000/a/b', mine, { imageId: config }, [`127.0.0.1:5000/a/b@${mine}`], true],
    ['127.0.0.1:5000/a/b', theirs, { imageId: config }, [`127.0.0.1:5000/a/b@${mine}`], false],
    ['127.0.0.1:5000/a/b', mine, { imageId: config }, [`127.0.0.1:5000/a/other@${mine}`], false],
    ['docker.io/acme/app', mine, { imageId: config }, [`acme/app@${mine}`], true],
    ['docker.io/library/app', mine, { imageId: config }, [`app@${mine}`], true],
    ['ghcr.io/acme/app', mine, { imageId: config }, [`acme/app@${mine}`], false],
  ] as const)('%s pushed as %s', (name, digest, own, repoDigests, want) => expect(isOwnPush(name, digest, own, repoDigests)).toBe(want));
});
