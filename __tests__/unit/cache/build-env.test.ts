/** The environment part of the jar's key: what the build sees, but the plumbing and the runner's facts it does not name. */
import { describe, expect, it, test } from 'vitest';
import { environmentDigest, leftOutUnlessNamed, namesToLookFor } from '../../../src/cache/build-env.js';

const seen = {
  PATH: '/usr/bin',
  HOME: '/home/runner',
  MAVEN_OPTS: '-XX:TieredStopAtLevel=1',
  JAVA_TOOL_OPTIONS: '',
  LANG: 'C.UTF-8',
  GITHUB_RUN_ID: '101',
  GITHUB_REF_NAME: 'v1.0.0',
  RUNNER_TEMP: '/home/runner/work/_temp',
  DOCKER_HOST: 'unix:///var/run/docker.sock',
};
const none = new Set<string>();
const digest = (env: Record<string, string>, named = none): string => environmentDigest(env, named);

describe('the environment as a jar input', () => {
  test.each([
    ['MAVEN_OPTS', true],
    ['MAVEN_ARGS', true],
    ['JAVA_TOOL_OPTIONS', true],
    ['GRADLE_OPTS', true],
    ['LANG', true],
    ['TZ', true],
    ['PATH', false],
    ['JAVA_HOME', false],
    ['JAVA_HOME_17_X64', false],
    ['GRADLE_USER_HOME', false],
    ['HOME', false],
    ['HTTPS_PROXY', false],
    ['GITHUB_REF_NAME', false],
    ['GITHUB_RUN_NUMBER', false],
    ['RUNNER_OS', false],
    ['DOCKER_CONFIG', false],
  ])('%s counts unless named: %s', (name, counts) => expect(leftOutUnlessNamed(name)).toBe(!counts));

  it('looks for the left-out names the build sees, in order', () => {
    expect(namesToLookFor(seen)).toEqual(['DOCKER_HOST', 'GITHUB_REF_NAME', 'GITHUB_RUN_ID', 'HOME', 'PATH', 'RUNNER_TEMP']);
  });

  it('moves with the tool settings and the locale, not with the run', () => {
    const base = digest(seen);
    expect(digest({ ...seen })).toBe(base);
    expect(digest({ ...seen, GITHUB_RUN_ID: '102', GITHUB_REF_NAME: 'v1.0.1', RUNNER_TEMP: '/tmp/x', PATH: '/bin', DOCKER_HOST: 'tcp://x' })).toBe(base);
    expect(digest({ ...seen, MAVEN_OPTS: '-XX:TieredStopAtLevel=1 -Drevision=1.0.1' })).not.toBe(base);
    expect(digest({ ...seen, MAVEN_ARGS: '-Pprod' })).not.toBe(base);
    expect(digest({ ...seen, LANG: 'de_DE.UTF-8' })).not.toBe(base);
    // a variable set to nothing is still set: a build may test for it
    const without: Record<string, string> = { ...seen };
    delete without.JAVA_TOOL_OPTIONS;
    expect(digest(without)).not.toBe(base);
  });

  it('takes in a runner fact the work tree names, with its value', () => {
    const named = new Set(['GITHUB_REF_NAME']);
    const base = digest(seen, named);
    expect(base).not.toBe(digest(seen));
    expect(digest({ ...seen, GITHUB_REF_NAME: 'v1.0.1' }, named)).not.toBe(base);
    expect(digest({ ...seen, GITHUB_RUN_ID: '102' }, named)).toBe(base);
  });

  it('is length-prefixed: a value cannot pass for a name', () => {
    // without the lengths both would hash "MAVEN_OPTSX"
    expect(digest({ MAVEN_OPTS: 'X' })).not.toBe(digest({ MAVEN_OPTSX: '' }));
  });
});
