import { describe, expect, it } from 'vitest';
import { buildEnv, buildxArgs, dockerBuildArgs, type BuildSpec } from '../../../../src/builders/buildkit/args.js';
import { copiesOnlyTheJar, takesOnlyTheJar } from '../../../../src/dockerfile/facts.js';
import { declaredArgs, hasRunSteps, readModel } from '../../../../src/dockerfile/model.js';
import { pushedDigest } from '../../../../src/builders/buildkit/push.js';
import { jarBuildArg } from '../../../../src/builders/buildkit/spec.js';

const tutorial = 'FROM openjdk:8-jdk-alpine\nARG JAR_FILE=./*.jar\nCOPY ${JAR_FILE} app.jar\nENTRYPOINT ["java", "-jar", "./app.jar"]\n';

describe('what a Dockerfile takes from the build', () => {
  it.each([
    [tutorial, true],
    ['FROM a\nARG JAR_FILE\nCOPY $JAR_FILE /app.jar\nCOPY config/app.yml /app/\n', true],
    ['FROM a\nARG JAR_FILE\nCOPY ${JAR_FILE} app.jar\nCOPY target/lib/ /app/lib/\n', false],
    ['FROM a\nCOPY . /src\n', false],
    ['FROM a\nCOPY --chown=1:1 build/libs/*.jar /app.jar\n', false],
    ['FROM a AS b\nFROM c\nCOPY --from=b /target/x /x\n', true],
    ['FROM a\nCOPY ["${JAR_FILE}", "app.jar"]\n', true],
  ])('%j -> %s', (text, want) => expect(copiesOnlyTheJar(readModel(text))).toBe(want));

  it.each([
    [tutorial, true],
    ['FROM a\nWORKDIR /app\nARG JAR_FILE\nCOPY --chown=1:1 ["$JAR_FILE", "app.jar"]\nUSER 1\n', true],
    ['FROM a\nARG JAR_FILE\nCOPY $JAR_FILE /app.jar\nCOPY config/app.yml /app/\n', false],
    ['FROM a\nARG JAR_FILE\nADD ${JAR_FILE} app.jar\n', false],
    ['FROM a AS b\nFROM c\nARG JAR_FILE\nCOPY ${JAR_FILE} app.jar\nCOPY --from=b /x /x\n', false],
    ['FROM a\nCOPY <<EOF /x\nhi\nEOF\n', false],
    ['FROM a\nENTRYPOINT ["java"]\n', true],
  ])('the jar is all the image takes from the context in %j: %s', (text, want) => expect(takesOnlyTheJar(readModel(text))).toBe(want));

  it.each([
    [tutorial, false],
    ['FROM a\nRUN apt-get update\n', true],
    ['FROM a\nCOPY x y\n  RUN \\\n  make\n', true],
    ['FROM a\n# RUN nothing\n', false],
  ])('RUN steps in %j: %s', (text, want) => expect(hasRunSteps(readModel(text))).toBe(want));
});

describe('declaredArgs', () => {
  it.each([
    [tutorial, ['JAR_FILE']],
    ['ARG BASE=x\nFROM ${BASE}\narg jar_file\n', ['BASE', 'jar_file']],
    ['FROM a\nARG A=1 B \\\n  C=3\n# ARG HIDDEN\n', ['A', 'B', 'C']],
    ['FROM a\nRUN echo ARG JAR_FILE\n', []],
  ])('%j', (text, want) => expect(declaredArgs(readModel(text))).toEqual(want));
});

const spec: BuildSpec = {
  context: '/ws',
  file: '/ws/Dockerfile',
  tags: ['acme/app:1.2.3', 'acme/app:latest'],
  labels: ['org.opencontainers.image.version=1.2.3'],
  buildArgs: [['JAR_FILE', 'target/app.jar']],
  target: 'runtime',
  platforms: ['linux/amd64', 'linux/arm64'],
  secrets: [{ id: 'npmrc', value: 's3cr3t' }],
  metadataFile: '/tmp/m.json',
  iidFile: '/tmp/iid',
  cacheArgs: ['--cache-from', 'type=local,src=/c', '--cache-to', 'type=local,dest=/n,mode=max'],
  sourceDateEpoch: 1793534400,
  provenance: 'false',
  network: 'host',
};

describe('build argv', () => {
  it('buildx: loads into the engine, every tag, label and arg, secrets by env reference', () => {
    expect(buildxArgs(spec)).toEqual([
      'buildx', 'build', '--progress', 'plain', '--load', '--provenance', 'false', '--metadata-file', '/tmp/m.json',
      '--cache-from', 'type=local,src=/c', '--cache-to', 'type=local,dest=/n,mode=max',
      '--file', '/ws/Dockerfile', '--iidfile', '/tmp/iid',
      '--tag', 'acme/app:1.2.3', '--tag', 'acme/app:latest',
      '--label', 'org.opencontainers.image.version=1.2.3',
      '--build-arg', 'JAR_FILE=target/app.jar',
      '--target', 'runtime',
      '--network', 'host',
      '--platform', 'linux/amd64,linux/arm64',
      '--secret', 'id=npmrc,env=IMAGE_PUBLISH_SECRET_0',
      '--', '/ws',
    ]);
  });

  it('never puts a secret value in argv', () => {
    expect(buildxArgs(spec).join(' ')).not.toContain('s3cr3t');
    expect(dockerBuildArgs(spec).join(' ')).not.toContain('s3cr3t');
    expect(buildEnv(spec)).toEqual({ IMAGE_PUBLISH_SECRET_0: 's3cr3t', SOURCE_DATE_EPOCH: '1793534400' });
  });

  it('plain docker build for the fallback', () => {
    const args = dockerBuildArgs({ ...spec, target: '', network: '', platforms: [], secrets: [], labels: [], buildArgs: [] });
    expect(args).toEqual(['build', '--progress', 'plain', '--file', '/ws/Dockerfile', '--iidfile', '/tmp/iid', '--tag', 'acme/app:1.2.3', '--tag', 'acme/app:latest', '--', '/ws']);
  });
});

describe('jarBuildArg', () => {
  it('is relative to the context with forward slashes', () => {
    expect(jarBuildArg('/ws', '/ws/target/app-1.0.jar')).toBe('target/app-1.0.jar');
    expect(jarBuildArg('/ws/svc', '/ws/svc/build/libs/a.jar')).toBe('build/libs/a.jar');
  });
  it('refuses a jar outside the context, blaming the input that chose it', () => {
    expect(() => jarBuildArg('/ws/docker', '/ws/target/a.jar')).toThrow("Input 'context': the jar /ws/target/a.jar lies outside the build context /ws/docker");
    expect(() => jarBuildArg('/ws/docker', '/ws/target/a.jar', 'artifact')).toThrow("Input 'artifact': the jar /ws/target/a.jar lies outside the build context /ws/docker; point `artifact` at a jar inside the context");
  });

  it('file secrets go to BuildKit by path, value secrets by environment, in their own slots', () => {
    const s = { ...spec, secrets: [{ id: 'pem', value: 'a\nb' }, { id: 'm2', file: '/ws/settings.xml' }, { id: 'tok', value: 't' }] };
    expect(buildxArgs(s).filter((a, i, all) => all[i - 1] === '--secret')).toEqual(['id=pem,env=IMAGE_PUBLISH_SECRET_0', 'id=m2,src=/ws/settings.xml', 'id=tok,env=IMAGE_PUBLISH_SECRET_2']);
    expect(buildEnv(s)).toEqual({ IMAGE_PUBLISH_SECRET_0: 'a\nb', IMAGE_PUBLISH_SECRET_2: 't', SOURCE_DATE_EPOCH: '1793534400' });
  });
});

describe('pushedDigest', () => {
  it('reads the digest line docker push prints', () => {
    const out = 'The push refers to repository [127.0.0.1:5000/e2e/x]\n1.2.3: digest: sha256:' + 'a'.repeat(64) + ' size: 856\n';
    expect(pushedDigest(out)).toBe('sha256:' + 'a'.repeat(64));
    expect(pushedDigest('nothing')).toBeUndefined();
  });
});
