import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listUnits, markUnread, setAside, unusedUnits, type Unit } from '../../../src/cache/used.js';

const unit = (dir: string, ...times: [number, number][]): Unit => ({ dir, leaf: true, files: times.map(([atimeMs, mtimeMs], i) => ({ name: `f${i}`, size: 10, atimeMs, mtimeMs })) });

describe('unusedUnits', () => {
  it.each([
    ['a unit read since the mark stays', [unit('a', [200, 50]), unit('b', [10, 50])], ['b']],
    ['one read file keeps its whole folder', [unit('a', [10, 50], [200, 50]), unit('b', [10, 50])], ['b']],
    ['a file written since (downloaded by this build) keeps its folder', [unit('a', [10, 50]), unit('b', [10, 150])], ['a']],
    ['everything used', [unit('a', [200, 50])], []],
  ] as const)('%s', (_, units, want) => {
    expect(unusedUnits(units as unknown as Unit[], 100)?.map((u) => u.dir)).toEqual(want);
  });

  it('tells nothing when no file at all was read (no access times here): everything is kept', () => {
    expect(unusedUnits([unit('a', [10, 50]), unit('b', [10, 50])], 100)).toBeUndefined();
    expect(unusedUnits([], 100)).toBeUndefined();
  });
});

describe('a repository on disk: mark, read, set aside, put back', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (rel: string, text = rel): void => {
    mkdirSync(path.dirname(path.join(dir, 'repo', rel)), { recursive: true });
    writeFileSync(path.join(dir, 'repo', rel), text);
  };

  it('leaves out exactly the folders nothing was read from, and puts them back', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ip-used-'));
    const repo = path.join(dir, 'repo');
    file('org/a/lib/1.0/lib-1.0.pom');
    file('org/a/lib/1.0/lib-1.0.jar');
    file('org/a/lib/maven-metadata-central.xml');
    file('org/b/old/2.0/old-2.0.pom');
    file('org/b/old/2.0/old-2.0.jar', 'x'.repeat(1000));
    const since = markUnread(repo);
    expect(statSync(path.join(repo, 'org/a/lib/1.0/lib-1.0.jar')).atimeMs).toBeLessThan(since - 24 * 3600 * 1000);
    readFileSync(path.join(repo, 'org/a/lib/1.0/lib-1.0.pom'));
    const units = listUnits(repo);
    const unused = unusedUnits(units, since);
    expect(unused?.map((u) => u.dir).sort()).toEqual(['org/a/lib', 'org/b/old/2.0']);
    const aside = setAside(repo, unused as Unit[], `${repo}.unused`);
    expect(aside.units).toBe(2);
    expect(aside.bytes).toBe(1000 + 'org/b/old/2.0/old-2.0.pom'.length + 'org/a/lib/maven-metadata-central.xml'.length);
    expect(existsSync(path.join(repo, 'org/b/old/2.0'))).toBe(false);
    expect(existsSync(path.join(repo, 'org/a/lib/maven-metadata-central.xml'))).toBe(false);
    expect(existsSync(path.join(repo, 'org/a/lib/1.0/lib-1.0.jar'))).toBe(true);
    aside.back();
    expect(readFileSync(path.join(repo, 'org/b/old/2.0/old-2.0.jar'), 'utf8')).toBe('x'.repeat(1000));
    expect(existsSync(path.join(repo, 'org/a/lib/maven-metadata-central.xml'))).toBe(true);
    expect(existsSync(`${repo}.unused`)).toBe(false);
  });

  it('a repository that is not there has no units', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ip-used-'));
    expect(listUnits(path.join(dir, 'none'))).toEqual([]);
    expect(typeof markUnread(path.join(dir, 'none'))).toBe('number');
  });
});
