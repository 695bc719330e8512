/** Before any side effect: a COPY that would put a credential into the image fails, naming the file and the fix. */
import { readModel } from '../../../src/dockerfile/model.js';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkContext } from '../../../src/inputs/context-credentials.js';

const CHECKOUT = '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0\n';

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-creds-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function check(ctx: string, dockerfile: string, allow = false): string[] {
  const warnings: string[] = [];
  checkContext({ context: ctx, file: path.join(ctx, 'Dockerfile'), buildArgs: [], allowCredentialsInContext: allow }, readModel(dockerfile), true, (m) => warnings.push(m));
  return warnings;
}

describe('checkContext', () => {
  const checkedOut = { '.git/config': CHECKOUT, '.git/HEAD': 'ref: refs/heads/main\n', 'app.txt': 'x' };

  it('refuses COPY . with the checkout token, naming .git/config, the line and both fixes', () => {
    expect(() => check(context(checkedOut), 'FROM a\nWORKDIR /app\nCOPY . /app/\n')).toThrow(
      /^Input 'context': COPY \. \/app\/ \(Dockerfile line 3\) would put \.git\/config of the build context into the image, and it holds an http extraheader .*add a `\.git` line to \.dockerignore, or set `persist-credentials: false` on actions\/checkout\. Or set `allow-credentials-in-context: true`/,
    );
  });

  it('passes with a .dockerignore line .git, and for a COPY that does not reach it', () => {
    expect(check(context({ ...checkedOut, '.dockerignore': '.git\n' }), 'FROM a\nCOPY . /app/\n')).toEqual([]);
    expect(check(context(checkedOut), 'FROM a\nARG JAR_FILE\nCOPY ${JAR_FILE} /app.jar\nCOPY app.txt /\n')).toEqual([]);
  });

  it('only warns with allow-credentials-in-context', () => {
    const w = check(context(checkedOut), 'FROM a\nCOPY . /app/\n', true);
    expect(w).toEqual([expect.stringMatching(/would put \.git\/config .* allow-credentials-in-context is true, so the build goes on/)]);
  });

  it('finds an .npmrc token in a later stage too, not what comes --from another stage', () => {
    const ctx = context({ 'web/.npmrc': '//registry.npmjs.org/:_authToken=npm_secret\n', 'web/index.js': '' });
    expect(() => check(ctx, 'FROM node AS web\nCOPY web/ /web/\nFROM a\nCOPY --from=web /web /web\n')).toThrow(/would put web\/\.npmrc .* holds an _authToken; add a `web\/\.npmrc` line/);
  });

  it('refuses a .dockerignore that is a link to /dev/zero before listing anything', () => {
    const ctx = context({ 'app.txt': 'x' });
    symlinkSync('/dev/zero', path.join(ctx, '.dockerignore'));
    expect(() => check(ctx, 'FROM a\n')).toThrow(/^Input 'context': \.dockerignore is a link to \/dev\/zero, outside the context/);
  });
});
