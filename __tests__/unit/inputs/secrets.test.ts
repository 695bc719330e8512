import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryAuthPasswords, secretInputPieces } from '../../../src/inputs/mask.js';
import { lexSecrets, maskPieces, parseSecrets } from '../../../src/inputs/secrets.js';
import { checkPaths, parseInputs } from '../../../src/inputs/inputs.js';

const PEM = '-----BEGIN PRIVATE KEY-----\n  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';

describe('parseSecrets', () => {
  it.each([
    ['one line', 'tok=abc', [{ id: 'tok', value: 'abc' }]],
    ['a value with = in it', 'tok=a=b', [{ id: 'tok', value: 'a=b' }]],
    ['a block keeps every line as written', `pem<<EOF\n${PEM}\nEOF\ntok=abc`, [{ id: 'pem', value: PEM }, { id: 'tok', value: 'abc' }]],
    ['a block with its own delimiter and blank lines', 'x<<END\nline 1\n\nline 3\nEND', [{ id: 'x', value: 'line 1\n\nline 3' }]],
    ['from the environment', 'pem=env:MY_PEM', [{ id: 'pem', value: 'a\nb' }]],
    ['an empty variable (a fork run) is an empty value', 'e=env:EMPTY', [{ id: 'e', value: '' }]],
    ['a file, relative to the workspace', 'm2=file:.m2/settings.xml', [{ id: 'm2', file: '/ws/.m2/settings.xml' }]],
    ['comments and blank lines between entries', '# note\n\ntok=abc\n', [{ id: 'tok', value: 'abc' }]],
  ])('%s', (_, raw, want) => expect(parseSecrets(raw, '/ws', { MY_PEM: 'a\nb', EMPTY: '' })).toEqual(want));

  it.each([
    ['a second line of a value', 'pem=line-one-SECRET\nline-two-SECRET', "Input 'secrets': line 2 is not id=value"],
    ['a block without its end', 'pem<<EOF\nline-one-SECRET\n', "Input 'secrets': the block that starts on line 1 has no end line"],
    ['an unset variable', 'pem=env:NOPE', "Input 'secrets': line 1: the environment variable NOPE is not set"],
    ['a bad variable name', 'pem=env:1X', "Input 'secrets': line 1: \"1X\" is not an environment variable name"],
    ['a bad id', 'bad id=SECRET', "Input 'secrets': line 1: the secret id may only hold"],
    ['the same id twice', 'a=1\na=2', "Input 'secrets': line 2: the id \"a\" is given twice"],
    ['a comma in a file path', 'a=file:x,y', "Input 'secrets': line 1: the file path may not hold a comma"],
  ])('refuses %s without quoting the value', (_, raw, message) => {
    let error = '';
    try {
      parseSecrets(raw, '/ws', {});
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toContain(message);
    expect(error).not.toContain('SECRET');
  });

  it('lexes without judging, so that masking can come first', () => {
    expect(lexSecrets('a=1\nstray\nb<<E\nx\n')).toEqual({ entries: [{ line: 1, id: 'a', value: '1', block: false }], strays: [{ line: 2, text: 'stray' }, { line: 3, text: 'x\n', unclosed: true }] });
  });
});

describe('masking', () => {
  it('masks a value whole and line by line, skipping lines too short to mean anything', () => {
    expect(maskPieces(PEM)).toEqual([PEM, '-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', '-----END PRIVATE KEY-----']);
    expect(maskPieces('  ')).toEqual([]);
    expect(maskPieces('abc')).toEqual(['abc']);
    expect(maskPieces('{\nlong-line\n}')).toEqual(['{\nlong-line\n}', 'long-line']);
  });

  it('finds registry-auth passwords before the YAML is parsed', () => {
    expect(registryAuthPasswords('- registry: a.io\n  username: u\n  password: "p1 x"\n-  password: \'p2\'\n- registry: b\n  password: |\n    block\n  "password": p3')).toEqual(['p1 x', 'p2', 'p3']);
  });

  it('collects every secret-bearing input, a two-line secrets value included', () => {
    const inputs: Record<string, string> = { password: 'pw-1234', 'github-token': 'ghs_x', 'registry-auth': '- registry: a.io\n  password: ra-pass\n', secrets: 'a=one-line\npem<<EOF\nfirst-line\nsecond-line\nEOF\nstray-line' };
    const pieces = secretInputPieces((n) => inputs[n] ?? '');
    for (const p of ['pw-1234', 'ghs_x', 'ra-pass', 'one-line', 'first-line', 'second-line', 'first-line\nsecond-line', 'stray-line']) expect(pieces).toContain(p);
    expect(pieces).not.toContain('pem<<EOF');
  });
});

describe('secrets through parseInputs and checkPaths', () => {
  it('takes env from the run facts and checks that a file secret exists', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'ip-sec-'));
    writeFileSync(path.join(ws, 'Dockerfile'), 'FROM x\n');
    const read = (v: Record<string, string>) => (n: string) => v[n] ?? '';
    const i = parseInputs(read({ images: 'a/b', secrets: 'pem=env:PEM' }), ws, { actor: '', fork: false, env: { PEM: 'x\ny' } });
    expect(i.secrets).toEqual([{ id: 'pem', value: 'x\ny' }]);
    const missing = parseInputs(read({ images: 'a/b', secrets: 'm2=file:settings.xml' }), ws);
    expect(() => checkPaths(missing, ws)).toThrow(`Input 'secrets': the file of secret "m2" (${path.join(ws, 'settings.xml')}) does not exist`);
    writeFileSync(path.join(ws, 'settings.xml'), '<settings/>');
    expect(() => checkPaths(missing, ws)).not.toThrow();
  });
});
