import { describe, expect, it } from 'vitest';
import { readModel } from '../../../src/dockerfile/model.js';
import { readDockerfile, unsupported } from '../../../src/dockerfile/reader.js';

const tutorial = 'FROM openjdk:8-jdk-alpine\nARG JAR_FILE=./*.jar\nCOPY ${JAR_FILE} app.jar\nENTRYPOINT ["java","-jar","./app.jar"]\n';

describe('unsupported: the first instruction the native builder leaves to BuildKit', () => {
  it.each([
    [tutorial, undefined],
    ['FROM a\nRUN echo hi\n', { line: 2, reason: 'RUN needs BuildKit' }],
    ['FROM a\nCOPY --from=b /x /x\n', { line: 2, reason: '--from needs BuildKit' }],
    ['FROM a\nCOPY --link x /x\n', { line: 2, reason: '--link needs BuildKit' }],
    ['FROM a\nADD https://e.com/x.jar /x\n', { line: 2, reason: 'ADD of a URL (https://e.com/x.jar) needs BuildKit' }],
    ['FROM a\nADD lib.tar.gz /opt/\n', { line: 2, reason: 'ADD of an archive (lib.tar.gz) needs BuildKit, which unpacks it' }],
    ['FROM a\nCOPY <<EOF /x\nhi\nEOF\n', { line: 2, reason: 'the heredoc <<EOF needs BuildKit (builder: docker), or write the file into the context and COPY it' }],
    ['FROM a\nCOPY --chown=app:app x /x\n', { line: 2, reason: '--chown=app:app by name needs the base\'s /etc/passwd' }],
    ['FROM a AS b\nCOPY x /x\nFROM c\n', { line: 3, reason: 'multi-stage builds need BuildKit' }],
    ['FROM --platform=$BUILDPLATFORM a\n', { line: 1, reason: '--platform needs BuildKit' }],
    ['FROM a\nUSER app\nWORKDIR /w\n', { line: 3, reason: "WORKDIR after USER app needs the base's /etc/passwd" }],
    ['FROM a\n\n# c\nONBUILD RUN x\n', { line: 4, reason: 'ONBUILD is not supported by the native builder' }],
    ['FROM a\nRUN --mount=type=cache,target=/x \\\n  make\n', { line: 2, reason: 'RUN needs BuildKit' }],
    ['ENV A=1\nFROM a\n', { line: 1, reason: 'only ARG may come before FROM' }],
    ['FROM scratch\nCOPY x /x\n', { line: 1, reason: 'a scratch base needs BuildKit' }],
  ])('%j', (text, want) => {
    const got = unsupported(readModel(text));
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(want);
  });
});

describe('readDockerfile', () => {
  it('expands ARG (also before FROM, with build args winning) into FROM and COPY', () => {
    const p = readDockerfile(readModel('ARG BASE=repo/jre:17\nFROM ${BASE}\nARG JAR_FILE=./*.jar\nCOPY ${JAR_FILE} app.jar\n'), new Map([['JAR_FILE', 'target/x.jar']]));
    expect(p.base).toBe('repo/jre:17');
    expect(p.steps.map((s) => s.createdBy)).toEqual(['ARG JAR_FILE=./*.jar', 'COPY target/x.jar app.jar # buildkit']);
    expect(p.steps[1].op).toEqual({ kind: 'copy', sources: ['target/x.jar'], dest: '/app.jar', chown: undefined, chmod: undefined, line: 4 });
  });

  it.each([
    ['COPY a.jar app.jar', '/app/app.jar'],
    ['COPY a.jar .', '/app/'],
    ['COPY a.jar ./', '/app/'],
    ['COPY a.jar lib/', '/app/lib/'],
    ['COPY a.jar /opt/x', '/opt/x'],
    ['COPY a.jar ../top/', '/top/'],
    ['COPY ["a b.jar", "/x y/"]', '/x y/'],
  ])('%s under WORKDIR /app goes to %s', (line, dest) => {
    const p = readDockerfile(readModel(`FROM a\nWORKDIR /app\n${line}\n`), new Map());
    const op = p.steps[1].op;
    expect(op?.kind === 'copy' && op.dest).toBe(dest);
  });

  it('reads every config instruction', () => {
    const p = readDockerfile(
      readModel([
        'FROM a',
        'ENV A=1 B="two words"',
        'ENV C $A-x',
        'LABEL "org.x"="y" z=$B',
        'WORKDIR app',
        'WORKDIR sub',
        'USER 1000:1000',
        'EXPOSE 8080 9000-9001/udp',
        'VOLUME ["/data"]',
        'STOPSIGNAL SIGINT',
        'HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/',
        'SHELL ["/bin/bash", "-c"]',
        'CMD echo $A',
      ].join('\n')),
      new Map(),
    );
    expect(p.steps.map((s) => s.change)).toEqual([
      { kind: 'env', pairs: [['A', '1'], ['B', 'two words']] },
      { kind: 'env', pairs: [['C', '1-x']] },
      { kind: 'label', pairs: [['org.x', 'y'], ['z', 'two words']] },
      { kind: 'workdir', path: '/app' },
      { kind: 'workdir', path: '/app/sub' },
      { kind: 'user', user: '1000:1000' },
      { kind: 'expose', ports: ['8080/tcp', '9000/udp', '9001/udp'] },
      { kind: 'volume', paths: ['/data'] },
      { kind: 'stopsignal', signal: 'SIGINT' },
      { kind: 'healthcheck', check: { Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 30e9, Retries: 3 } },
      { kind: 'shell', shell: ['/bin/bash', '-c'] },
      { kind: 'cmd', args: ['echo $A'], shellForm: true },
    ]);
    expect(p.steps[3].op).toEqual({ kind: 'mkdir', path: '/app', uid: 0, gid: 0 });
    expect(p.steps.map((s) => s.createdBy)).toContain('HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/"] "30s" "0s" "0s" "0s" \'\\x03\'}');
  });

  it('takes --chown and --chmod, and records them as BuildKit does', () => {
    const step = readDockerfile(readModel('FROM a\nCOPY --chown=1000:2000 --chmod=0640 a /b/\nEXPOSE 9090/udp 8080\n'), new Map()).steps;
    expect(step[0].op).toMatchObject({ chown: { uid: 1000, gid: 2000 }, chmod: 0o640 });
    expect(step.map((s) => s.createdBy)).toEqual(['COPY --chown=1000:2000 --chmod=0640 a /b/ # buildkit', 'EXPOSE map[8080/tcp:{} 9090/udp:{}]']);
  });

  it('honours the escape directive and line continuations', () => {
    const p = readDockerfile(readModel('# escape=`\nFROM a\nENV A=1 `\n  B=2\n'), new Map());
    expect(p.steps[0].change).toEqual({ kind: 'env', pairs: [['A', '1'], ['B', '2']] });
  });
});
