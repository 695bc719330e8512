import { describe, expect, it } from 'vitest';
import { readModel } from '../../../src/dockerfile/model.js';
import { checkUntrustedCode, codeThatRuns } from '../../../src/inputs/untrusted.js';

const why = 'the workspace holds 0123456789ab, not the base commit bbbbbbbbbbbb';

describe('pull_request_target with an untrusted checkout runs no repository code', () => {
  it.each([
    ['a Java build', { javaBuild: './mvnw package', dockerfile: 'FROM x\nCOPY a b\n' }, ['the Java build (./mvnw package)']],
    ['RUN steps', { dockerfile: 'FROM x\nRUN make\nCOPY a b\nrun \\\n  make test\n' }, ["the Dockerfile's RUN steps (line 2, 4)"]],
    ['a frontend of its choice', { dockerfile: '# syntax=evil/frontend:1\nFROM x\n' }, ['the Dockerfile frontend evil/frontend:1 (its # syntax= line)']],
    ['COPY only: nothing runs', { dockerfile: 'FROM x\nCOPY app.jar /app.jar\nENTRYPOINT ["java"]\n' }, []],
    ['RUN only in a comment: nothing runs', { dockerfile: 'FROM x\n# RUN make\nCOPY a b\n' }, []],
  ])('%s', (_, code, runs) => expect(codeThatRuns({ ...code, dockerfile: readModel(code.dockerfile) })).toEqual(runs));

  it('refuses, naming allow-untrusted-checkout, the reason and the advice', () => {
    expect(() => checkUntrustedCode(why, { javaBuild: './mvnw package', dockerfile: undefined })).toThrow(
      /^Input 'allow-untrusted-checkout': pull_request_target: the workspace holds 0123456789ab, not the base commit bbbbbbbbbbbb, and this run would execute that code: the Java build \(\.\/mvnw package\)\. This event runs with the base repository's secrets.*GitHub Security Lab.*set `allow-untrusted-checkout: true`\.$/,
    );
  });
  it('lets a trusted checkout, or one that runs nothing, go on', () => {
    expect(() => checkUntrustedCode(undefined, { javaBuild: './mvnw package', dockerfile: readModel('RUN x') })).not.toThrow();
    expect(() => checkUntrustedCode(why, { dockerfile: readModel('FROM x\nCOPY a b\n') })).not.toThrow();
  });
});
