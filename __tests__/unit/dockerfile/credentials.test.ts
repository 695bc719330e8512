/** The credential scan: a pure function of the COPY sources, the listed context and the candidates' small texts. */
import { readModel } from '../../../src/dockerfile/model.js';
import { describe, expect, it } from 'vitest';
import type { ContextFile } from '../../../src/builders/native/copy.js';
import { dockerConfigSecret, findCredentials, gitConfigSecret, gitIncludes, mavenSettingsSecret, npmrcSecret } from '../../../src/dockerfile/credentials.js';
import { contextSources } from '../../../src/dockerfile/sources.js';

const CHECKOUT = '[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = https://github.com/acme/hello-service\n[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX3NlY3JldA==\n';

describe('contextSources: what COPY/ADD take from the context, every stage, expanded', () => {
  it.each([
    ['FROM a\nCOPY . /app/\n', [], ['.']],
    ['FROM a AS b\nCOPY --from=b / /\nCOPY --chown=1:1 conf/ /conf/\n', [], ['conf/']],
    ['ARG DIR=site\nFROM a\nARG DIR\nCOPY ${DIR}/ /www/\n', [], ['site/']],
    ['FROM a\nARG DIR=site\nCOPY ${DIR} /www/\n', [['DIR', 'public']], ['public']],
    ['FROM a\nENV D=etc\nCOPY $D/x /x\n', [], ['etc/x']],
    ['FROM a\nCOPY ["a b", "c", "/d/"]\n', [], ['a b', 'c']],
    ['FROM a\nADD https://example.com/x.tgz /x\nADD git@github.com:a/b.git /b\nADD local.tgz /l/\n', [], ['local.tgz']],
    ['FROM a\nCOPY <<EOF /x\nhello\nEOF\n', [], []],
    ['FROM a\nARG JAR_FILE\nCOPY ${JAR_FILE} app.jar\nCOPY .npmrc /\n', [], ['.npmrc']],
    ['FROM a\nARG JAR_FILE\nCOPY ${JAR_FILE} app.jar\n', [['JAR_FILE', 'target/x.jar']], ['target/x.jar']],
    ['COPY . /\nFROM a\nRUN true\n', [], []],
  ] as [string, [string, string][], string[]][])('%j with %j', (dockerfile, args, want) => {
    const later = args.some(([k]) => k === 'JAR_FILE') ? [] : ['JAR_FILE'];
    expect(contextSources(readModel(dockerfile), new Map(args), later).map((s) => s.source)).toEqual(want);
  });
});

describe('what counts as a credential', () => {
  it.each([
    ['actions/checkout@v4 .git/config', gitConfigSecret, CHECKOUT, /extraheader/],
    ['[http] extraHeader', gitConfigSecret, '[http]\n  extraHeader = Authorization: Bearer x\n', /extraheader/],
    ['a remote URL with a token in it', gitConfigSecret, '[remote "origin"]\n url = https://x-access-token:ghs_abc@github.com/a/b\n', /password/],
    ['a clean .git/config', gitConfigSecret, '[core]\n bare = false\n[remote "origin"]\n url = https://github.com/a/b\n', undefined],
    ['a Docker config with an auth', dockerConfigSecret, '{"auths":{"ghcr.io":{"auth":"dTpw"}}}', /a login for ghcr.io/],
    ['a Docker config with an identity token', dockerConfigSecret, '{"auths":{"https://index.docker.io/v1/":{"identitytoken":"x"}}}', /a login for docker.io/],
    ['a Docker config with a credential helper only', dockerConfigSecret, '{"auths":{"ghcr.io":{}},"credsStore":"desktop"}', undefined],
    ['an .npmrc with a token', npmrcSecret, '//registry.npmjs.org/:_authToken=npm_abc\n', /_authToken/],
    ["setup-node's .npmrc (a placeholder)", npmrcSecret, '//registry.npmjs.org/:_authToken=${NODE_AUTH_TOKEN}\n', undefined],
    ['a settings.xml with a password', mavenSettingsSecret, '<settings><servers><server><id>r</id><password>hunter2</password></server></servers></settings>', /<password>/],
    ["setup-java's settings.xml (a placeholder)", mavenSettingsSecret, '<server><password>${env.MAVEN_PASSWORD}</password></server>', undefined],
  ])('%s', (_what, check, text, found) => {
    const got = (check as (t: string) => string | undefined)(text);
    if (found) expect(got).toMatch(found);
    else expect(got).toBeUndefined();
  });

  it('follows a git config include into the context', () => {
    expect(gitIncludes('.git/config', '[includeIf "gitdir:/ws/.git"]\n\tpath = creds.config\n[include]\n\tpath = /runner/temp/x.config\n')).toEqual(['.git/creds.config']);
  });
});

const file = (p: string): ContextFile => ({ path: p, type: 'file', mode: 0o644, size: 1 });
const dir = (p: string): ContextFile => ({ path: p, type: 'dir', mode: 0o755, size: 0 });
const listed = [dir('.git'), file('.git/config'), file('.git/HEAD'), dir('.git/modules'), dir('.git/modules/lib'), file('.git/modules/lib/config'), dir('src'), file('src/A.java'), file('.npmrc'), dir('ci'), file('ci/settings.xml'), dir('.docker'), file('.docker/config.json')];
const secrets = new Map<string, string | undefined>([
  ['.git/config', CHECKOUT],
  ['.git/modules/lib/config', CHECKOUT],
  ['.npmrc', '_authToken=abc'],
  ['ci/settings.xml', '<password>p</password>'],
  ['.docker/config.json', '{"auths":{"r.example":{"auth":"dTpw"}}}'],
]);
const at = (source: string) => ({ source, line: 3, instruction: `COPY ${source} /app/` });

describe('findCredentials', () => {
  it.each([
    ['COPY . /app/', ['.'], ['.docker/config.json', '.git/config', '.git/modules/lib/config', '.npmrc', 'ci/settings.xml']],
    ['COPY src/ /app/', ['src/'], []],
    ['COPY .git /git', ['.git'], ['.git/config', '.git/modules/lib/config']],
    ['COPY ci/*.xml /ci/', ['ci/*.xml'], ['ci/settings.xml']],
  ])('%s', (_what, sources, want) => {
    expect(findCredentials(sources.map(at), listed, secrets).map((f) => f.file).sort()).toEqual(want);
  });

  it('names the fix for each, and what the COPY is', () => {
    const byFile = new Map(findCredentials([at('.')], listed, secrets).map((f) => [f.file, f]));
    expect(byFile.get('.git/config')).toMatchObject({ holds: expect.stringMatching(/extraheader/), fix: expect.stringMatching(/add a `.git` line to .dockerignore, or set `persist-credentials: false` on actions\/checkout/), by: { line: 3 } });
    expect(byFile.get('.git/modules/lib/config')?.fix).toMatch(/`.git` line/);
    expect(byFile.get('.docker/config.json')?.fix).toMatch(/add a `.docker` line/);
    expect(byFile.get('.npmrc')?.fix).toMatch(/add a `.npmrc` line/);
  });

  it('what the ignore file left out is not in the listing, so not found; an unreadable candidate counts', () => {
    const ignored = listed.filter((f) => !f.path.startsWith('.git'));
    expect(findCredentials([at('.')], ignored, secrets).map((f) => f.file)).not.toContain('.git/config');
    const unread = findCredentials([at('.')], listed, new Map([['.npmrc', undefined]]));
    expect(unread).toEqual([expect.objectContaining({ file: '.npmrc', holds: expect.stringMatching(/could not read/) })]);
  });

  it('a token in a file the git config includes, inside the context, is found', () => {
    const inc = [...listed, file('.git/creds.config')];
    const texts = new Map([
      ['.git/config', '[includeIf "gitdir:/x"]\n path = creds.config\n'],
      ['.git/creds.config', CHECKOUT],
    ]);
    expect(findCredentials([at('.')], inc, texts).map((f) => [f.file, f.holds])).toEqual([['.git/config', expect.stringMatching(/extraheader/)]]);
  });
});
