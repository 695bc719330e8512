import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caFileName, isOwnCaFileName, restoreTrust, trustCa, type TrustChange } from '../../../src/engine/trust.js';
import { ROOT } from '../../support/runner.ts';

const CA = readFileSync(path.join(ROOT, '__tests__/fixtures/test-ca.pem'), 'utf8');
const USER_CA = '-----BEGIN CERTIFICATE-----\nMIIBuserscompanyroot\n-----END CERTIFICATE-----\n';
const HOST = 'registry.corp.example:5443';

describe('the name of a run’s CA file', () => {
  it.each([
    [1001, '0123456789abcdef', 'image-publish-1001-0123456789abcdef.crt'],
    [undefined, 'ffffffffffffffff', 'image-publish-0-ffffffffffffffff.crt'],
  ])('run %s, random %s: %s', (runId, random, name) => {
    expect(caFileName(runId, random)).toBe(name);
    expect(isOwnCaFileName(name)).toBe(true);
  });

  it.each(['', '0123', '0123456789ABCDEF', '../../../etc/x', '0123456789abcdef.crt/x'])('refuses the random part %j', (random) => {
    expect(() => caFileName(1, random)).toThrow('is not a CA file name of this action');
  });

  it.each(['ca.crt', 'image-publish-1-0123456789abcdef.cert', 'image-publish-1-0123456789abcdef.key', 'image-publish-1-0123456789abcdef.crt.part', 'x-image-publish-1-0123456789abcdef.crt'])('%j is not one of ours', (name) => {
    expect(isOwnCaFileName(name)).toBe(false);
  });
});

// two jobs on one engine (two runners on one machine, or a matrix: the same run id) trust a CA for the same registry
describe('two runs’ CA files in one certs.d folder', () => {
  let certs: string;
  const dir = (): string => path.join(certs, HOST);
  const files = (): string[] => (existsSync(dir()) ? readdirSync(dir()).sort() : []);
  const run = async (random: string): Promise<TrustChange> => {
    const changes: TrustChange[] = [];
    await trustCa(HOST, CA, (c) => changes.push(c), { runId: 1001, certsDir: certs, random });
    expect(changes).toHaveLength(1);
    return changes[0];
  };
  beforeEach(() => {
    certs = mkdtempSync(path.join(os.tmpdir(), 'certs.d-'));
  });
  afterEach(() => rmSync(certs, { recursive: true, force: true }));

  it('coexist beside the user’s ca.crt, and each post takes out only its own file', async () => {
    mkdirSync(dir());
    writeFileSync(path.join(dir(), 'ca.crt'), USER_CA);
    const a = await run('aaaaaaaaaaaaaaaa');
    const b = await run('bbbbbbbbbbbbbbbb');
    expect(a).toEqual({ file: path.join(dir(), 'image-publish-1001-aaaaaaaaaaaaaaaa.crt'), written: CA, createdDir: false });
    expect(b.createdDir).toBe(false);
    expect(files()).toEqual(['ca.crt', 'image-publish-1001-aaaaaaaaaaaaaaaa.crt', 'image-publish-1001-bbbbbbbbbbbbbbbb.crt']);
    expect(readFileSync(b.file, 'utf8')).toBe(CA);

    expect(await restoreTrust(a)).toBe('removed');
    expect(files()).toEqual(['ca.crt', 'image-publish-1001-bbbbbbbbbbbbbbbb.crt']);
    expect(readFileSync(b.file, 'utf8')).toBe(CA);
    expect(await restoreTrust(b)).toBe('removed');
    expect(files()).toEqual(['ca.crt']);
    expect(readFileSync(path.join(dir(), 'ca.crt'), 'utf8')).toBe(USER_CA);
  });

  it('a user’s ca.crt holding the very same CA is left alone: the run still writes its own file', async () => {
    mkdirSync(dir());
    writeFileSync(path.join(dir(), 'ca.crt'), CA);
    const a = await run('aaaaaaaaaaaaaaaa');
    expect(files()).toEqual(['ca.crt', path.basename(a.file)]);
    await restoreTrust(a);
    expect(files()).toEqual(['ca.crt']);
    expect(readFileSync(path.join(dir(), 'ca.crt'), 'utf8')).toBe(CA);
  });

  it('the folder goes with the run that made it', async () => {
    const a = await run('aaaaaaaaaaaaaaaa');
    expect(a.createdDir).toBe(true);
    await restoreTrust(a);
    expect(existsSync(dir())).toBe(false);
  });

  it('the folder stays while another run’s file is there, and goes with the last run out', async () => {
    const a = await run('aaaaaaaaaaaaaaaa');
    const b = await run('bbbbbbbbbbbbbbbb');
    // the folder holds only a's file: it is the action's, whichever run leaves last
    expect(b.createdDir).toBe(true);
    await restoreTrust(a);
    expect(files()).toEqual([path.basename(b.file)]);
    await restoreTrust(b);
    expect(existsSync(dir())).toBe(false);
  });

  it('a folder that was there empty, or with anything not a run’s, is not the action’s to take out', async () => {
    mkdirSync(dir());
    const a = await run('aaaaaaaaaaaaaaaa');
    expect(a.createdDir).toBe(false);
    await restoreTrust(a);
    expect(existsSync(dir())).toBe(true);
    writeFileSync(path.join(dir(), 'client.cert'), USER_CA);
    expect((await run('bbbbbbbbbbbbbbbb')).createdDir).toBe(false);
  });

  it('a file whose content is no longer what the run wrote is left; one already gone is no error', async () => {
    const a = await run('aaaaaaaaaaaaaaaa');
    writeFileSync(a.file, USER_CA);
    expect(await restoreTrust(a)).toBe('left');
    expect(readFileSync(a.file, 'utf8')).toBe(USER_CA);
    rmSync(a.file);
    expect(await restoreTrust(a)).toBe('removed');
  });

  it('never writes over a file that is there already', async () => {
    await run('aaaaaaaaaaaaaaaa');
    await expect(trustCa(HOST, USER_CA, () => undefined, { runId: 1001, certsDir: certs, random: 'aaaaaaaaaaaaaaaa' })).rejects.toThrow('exists already');
    expect(readFileSync(path.join(dir(), 'image-publish-1001-aaaaaaaaaaaaaaaa.crt'), 'utf8')).toBe(CA);
  });

  it('records the change before the file is written, so post can undo a crash', async () => {
    let seen: boolean | undefined;
    await trustCa(HOST, CA, (c) => (seen = existsSync(c.file)), { runId: 7, certsDir: certs });
    expect(seen).toBe(false);
    expect(files()).toHaveLength(1);
    expect(isOwnCaFileName(files()[0])).toBe(true);
  });
});
