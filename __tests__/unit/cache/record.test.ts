import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecord, readRecordFile, recordDir, recordKey, serializeRecord, writeRecordFile, type ImageRecord, type RecordInputs } from '../../../src/cache/record.js';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const good: ImageRecord = {
  jar: { path: 'target/app-1.0.jar', mode: 0o644, size: 1234 },
  layers: [
    { name: 'dependencies', diffId: D('a'), digest: D('b'), size: 10 },
    { name: 'application', diffId: D('c'), digest: D('d'), size: 20 },
  ],
};
const inputs: RecordInputs = { artifactKey: 'image-publish-jar-linux-x64-abc', dockerfile: 'FROM a\n', buildArgs: [['BASE_IMAGE', 'b']], context: '.', file: 'Dockerfile', layers: 'auto', mtime: 1700000000, flavour: 'zlib-1.3-level6' };
const p = { os: 'linux', arch: 'x64' };

describe('the image record key names everything that shapes the jar\'s layers', () => {
  it('is stable, prefixed, and has no restore keys', () => {
    const k = recordKey(p, inputs);
    expect(k).toEqual(recordKey(p, { ...inputs }));
    expect(k.key).toMatch(/^image-publish-image-linux-x64-[a-f0-9]{40}$/);
    expect(k.restoreKeys).toEqual([]);
  });

  it.each<[string, Partial<RecordInputs>]>([
    ['another build (jar cache key)', { artifactKey: 'image-publish-jar-linux-x64-abd' }],
    ['another Dockerfile', { dockerfile: 'FROM b\n' }],
    ['another build arg', { buildArgs: [['BASE_IMAGE', 'c']] }],
    ['a build arg split otherwise', { buildArgs: [['BASE_IMAGEb', '']] }],
    ['another context', { context: 'svc' }],
    ['another Dockerfile path', { file: 'svc/Dockerfile' }],
    ['layers: single', { layers: 'single' }],
    ['another commit time', { mtime: 1700000001 }],
    ['another gzip', { flavour: 'zlib-1.2-level6' }],
  ])('changes with %s', (_, change) => expect(recordKey(p, { ...inputs, ...change }).key).not.toBe(recordKey(p, inputs).key));

  it('changes with the platform', () => expect(recordKey({ os: 'linux', arch: 'arm64' }, inputs).key).not.toBe(recordKey(p, inputs).key));
});

describe('a record is read as data', () => {
  it('round-trips', () => expect(parseRecord(serializeRecord(good))).toEqual(good));

  it('takes one unnamed layer (a jar copied whole)', () => {
    const one = { ...good, layers: [{ name: null, diffId: D('a'), digest: D('b'), size: 1 }] };
    expect(parseRecord(serializeRecord(one))).toEqual(one);
  });

  const bad = (change: (r: Record<string, unknown>) => void): string => {
    const r = JSON.parse(serializeRecord(good)) as Record<string, unknown>;
    change(r);
    return JSON.stringify(r);
  };
  it.each<[string, string]>([
    ['not JSON', '{'],
    ['another format', bad((r) => (r.format = 2))],
    ['a path out of the context', bad((r) => ((r.jar as Record<string, unknown>).path = '../x.jar'))],
    ['an absolute path', bad((r) => ((r.jar as Record<string, unknown>).path = '/x.jar'))],
    ['a mode past 07777', bad((r) => ((r.jar as Record<string, unknown>).mode = 0o100644))],
    ['no layer', bad((r) => (r.layers = []))],
    ['a digest that is not sha256', bad((r) => ((r.layers as Record<string, unknown>[])[0].digest = 'md5:00'))],
    ['a size of 0', bad((r) => ((r.layers as Record<string, unknown>[])[1].size = 0))],
    ['a name with a space', bad((r) => ((r.layers as Record<string, unknown>[])[0].name = 'a b'))],
    ['an unnamed layer among several', bad((r) => ((r.layers as Record<string, unknown>[])[0].name = null))],
    ['33 layers', bad((r) => (r.layers = Array.from({ length: 33 }, (_, i) => ({ name: `l${i}`, diffId: D('a'), digest: D('b'), size: 1 }))))],
  ])('refuses %s', (_, text) => expect(parseRecord(text)).toBeUndefined());

  it('writes and reads its file; a missing or hostile file is no record', () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'ip-record-'));
    const dir = recordDir(temp);
    expect(readRecordFile(dir)).toBeUndefined();
    writeRecordFile(dir, good);
    expect(readRecordFile(dir)).toEqual(good);
    writeFileSync(path.join(dir, 'record.json'), 'x'.repeat(70 * 1024));
    expect(readRecordFile(dir)).toBeUndefined();
  });
});
