import { describe, expect, it } from 'vitest';
import { finalBaseOf, readModel, stageNames } from '../../../src/dockerfile/model.js';
import { DockerfileSyntaxError, parseDockerfile } from '../../../src/dockerfile/parse.js';
import { processWord } from '../../../src/dockerfile/words.js';

const sha = (c: string): string => `sha256:${c.repeat(64)}`;
const lines = (text: string): [string, string, number][] => parseDockerfile(text).instructions.map((i) => [i.keyword, i.args, i.line]);

describe('parseDockerfile: directives, as BuildKit reads them', () => {
  it.each([
    ['# escape=`\nFROM a\n', '`', undefined],
    ['#escape = `\n\nFROM a\n', '`', undefined],
    ['# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n', '`', 'docker/dockerfile:1'],
    ['# ESCAPE=`\nFROM a\n', '`', undefined],
    // a comment ends the directives: the escape line after it is a comment
    ['# Comment here.\n# escape = `\nFROM a\n', '\\', undefined],
    // an unknown directive is a comment, and ends them too
    ['# unknown=1\n# escape=`\nFROM a\n', '\\', undefined],
    // an empty line ends them
    ['\n# escape=`\nFROM a\n', '\\', undefined],
    ['FROM a\n# escape=`\n', '\\', undefined],
  ])('%j', (text, escape, syntax) => {
    const p = parseDockerfile(text);
    expect(p.escape).toBe(escape);
    expect(p.syntax).toBe(syntax);
  });

  it.each([
    ['# escape=`\n# escape=\\\nFROM a\n', 'line 2: only one escape parser directive can be used'],
    ['# escape=x\nFROM a\n', "invalid escape token 'x'"],
  ])('refuses %j', (text, why) => expect(() => parseDockerfile(text)).toThrow(why));
});

describe('parseDockerfile: continuations, comments, empty lines', () => {
  it.each<[string, [string, string, number][]]>([
    ['FROM a\nRUN echo hello\\\nworld\n', [['FROM', 'a', 1], ['RUN', 'echo helloworld', 2]]],
    // the next line joins as written, its leading blanks kept
    ['FROM a\nRUN a \\\n    b\n', [['FROM', 'a', 1], ['RUN', 'a     b', 2]]],
    // blanks after the escape still continue the line
    ['FROM a\nRUN a \\  \n b\n', [['FROM', 'a', 1], ['RUN', 'a  b', 2]]],
    // comment lines and empty lines inside a continuation are dropped
    ['FROM a\nRUN a \\\n# note\n\n  b\n', [['FROM', 'a', 1], ['RUN', 'a   b', 2]]],
    // the file may end inside a continuation (continue-at-eof)
    ['FROM a\n\nRUN something \\', [['FROM', 'a', 1], ['RUN', 'something', 3]]],
    ['# escape=`\nFROM a\nENV GOPATH `\n\\go\n', [['FROM', 'a', 2], ['ENV', 'GOPATH \\go', 3]]],
    ['# escape=`\nFROM a\nRUN dir c:\\\nCOPY a b\n', [['FROM', 'a', 2], ['RUN', 'dir c:\\', 3], ['COPY', 'a b', 4]]],
    ['  from a\n\t# c\nCopy a b\r\n', [['FROM', 'a', 1], ['COPY', 'a b', 3]]],
  ])('%j', (text, want) => expect(lines(text)).toEqual(want));
});

describe('parseDockerfile: heredocs (RUN, COPY, ADD)', () => {
  it('takes the body up to the terminator, and never reads it as instructions', () => {
    const p = parseDockerfile('FROM a\nCOPY <<EOF /x\nFROM evil\nEOF\nRUN <<-"A" <<B\n\techo $x\n\tA\nb\nB\nCMD x\n');
    expect(p.instructions.map((i) => i.keyword)).toEqual(['FROM', 'COPY', 'RUN', 'CMD']);
    expect(p.instructions[1].heredocs).toEqual([{ name: 'EOF', content: 'FROM evil\n', quoted: false }]);
    expect(p.instructions[2].heredocs).toEqual([
      { name: 'A', content: 'echo $x\n', quoted: true },
      { name: 'B', content: 'b\n', quoted: false },
    ]);
    expect(p.instructions[3].line).toBe(10);
  });
  it('is only a heredoc for RUN, COPY and ADD', () => expect(parseDockerfile('FROM a\nENV A=<<EOF\nCMD x\n').instructions.map((i) => i.heredocs.length)).toEqual([0, 0, 0]));
  it('refuses one without its terminator, naming the line', () => {
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\necho\n')).toThrow(DockerfileSyntaxError);
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\necho\n')).toThrow('Dockerfile line 2: the heredoc <<EOF has no line "EOF" that ends it');
  });
});

describe('processWord: BuildKit shell lexer cases', () => {
  const vars = new Map([['PWD', '/home'], ['SHELL', '/bin/bash'], ['EMPTY', '']]);
  it.each([
    ['hello', 'hello'],
    ['he\\$PWD', 'he$PWD'],
    ['he\\\\$PWD', 'he\\/home'],
    ['"hello $PWD"', 'hello /home'],
    ["'hello $PWD'", 'hello $PWD'],
    ["'hello\\'", 'hello\\'],
    ['"\'\'"', "''"],
    ['$.', '$.'],
    ['he$1x', 'hex'],
    ['${PWD:-xxx}', '/home'],
    ['${XXX:-xxx}', 'xxx'],
    ['${XXX:-${PWD}}', '/home'],
    ['${PWD:+${SHELL}}', '/bin/bash'],
    ['${XXX:+${PWD}}', ''],
    ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
    ['${EMPTY:-x}', 'x'],
    ['${EMPTY-x}', ''],
    ['${XXX-x}', 'x'],
    ['${EMPTY:+x}', ''],
    ['${EMPTY+x}', 'x'],
    ['${PWD}x', '/homex'],
    ['$PWD/$SHELL', '/home//bin/bash'],
  ])('%s -> %s', (word, want) => expect(processWord(word, vars)).toBe(want));

  it('takes ` as the escape under # escape=`', () => expect(processWord('a`$PWD\\b', vars, '`')).toBe('a$PWD\\b'));
  it('${X:?msg} refuses an unset X', () => expect(() => processWord('${X:?needs X}', vars)).toThrow('X: needs X'));
});

describe('readModel: stages and the base', () => {
  it.each<[string, string, Record<string, string>, string | undefined]>([
    ['plain', 'FROM 127.0.0.1:5000/base/jre:17\nCOPY a b\n', {}, '127.0.0.1:5000/base/jre:17'],
    ['ARG before FROM', 'ARG JAR_FILE\nFROM 127.0.0.1:5000/base/jre:17\nCOPY ${JAR_FILE} app.jar\n', {}, '127.0.0.1:5000/base/jre:17'],
    ['ARG default', 'ARG BASE=eclipse-temurin:17\nFROM ${BASE}\n', {}, 'eclipse-temurin:17'],
    ['a default of a default', 'ARG V=17\nARG BASE=jre:${V}\nFROM $BASE\n', {}, 'jre:17'],
    ['${X:-y}', 'ARG TAG\nFROM jre:${TAG:-21}\n', {}, 'jre:21'],
    ['build arg over the default', 'ARG BASE=x:1\nFROM $BASE\nRUN true\n', { BASE: '127.0.0.1:5000/base/jre:17-multi' }, '127.0.0.1:5000/base/jre:17-multi'],
    ['a build arg not declared before FROM does not reach it', 'FROM jre:${TAG}\n', { TAG: '17' }, 'jre:'],
    ['an ARG of a stage does not reach a later FROM', 'FROM a\nARG B=b:1\nFROM $B\n', {}, undefined],
    ['the last stage', 'FROM maven:3 AS build\nRUN mvn package\nFROM jre:17 AS run\nCOPY --from=build a b\n', {}, 'jre:17'],
    ['the last stage, of another', 'FROM --platform=$BUILDPLATFORM a:1 AS Base\nFROM base\nFROM BASE AS again\n', {}, 'a:1'],
    ['flags', 'FROM --platform=$BUILDPLATFORM jre:17\n', {}, 'jre:17'],
    ['digest', `FROM jre@${sha('b')}\n`, {}, `jre@${sha('b')}`],
    ['scratch', 'FROM scratch\nCOPY x /\n', {}, undefined],
    ['an unset ARG', 'FROM ${NOPE}\n', {}, undefined],
    // the issue's case: under # escape=` a line reading FROM … is the ENV's continuation, not a stage
    ['escape=` and an ENV continued onto a FROM line', '# escape=`\nFROM 127.0.0.1:5000/base/jre:17\nENV NOTE built on `\nFROM 127.0.0.1:5000/base/jre:17-rich\nCOPY a /a\n', {}, '127.0.0.1:5000/base/jre:17'],
    ['a heredoc body reading FROM', 'FROM jre:17\nCOPY <<EOF /etc/motd\nFROM jre:17-rich\nEOF\n', {}, 'jre:17'],
  ])('%s', (_, text, args, want) => expect(finalBaseOf(readModel(text, new Map(Object.entries(args))))).toBe(want));

  it('the target stage, not the last', () => {
    const df = readModel('FROM a:1 AS build\nFROM b:2 AS run\n');
    expect(finalBaseOf(df, 'BUILD')).toBe('a:1');
    expect(finalBaseOf(df)).toBe('b:2');
    expect(stageNames(df)).toEqual(['build', 'run']);
  });

  it('keeps each stage its instructions, and the meta ARGs apart', () => {
    const df = readModel('ARG A=1\nFROM x AS one\nENV E=1\nFROM one\nCOPY a b\n');
    expect(df.stages.map((s) => [s.name, s.from, s.fromStage, s.instructions.map((i) => i.keyword)])).toEqual([
      ['one', 'x', undefined, ['ENV']],
      [undefined, 'one', 0, ['COPY']],
    ]);
    expect([...df.metaArgs]).toEqual([['A', '1']]);
  });
});
