import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestFileName, digestOfLine, formatDigestFile, parseDigestFile, type LegDigest } from '../../../src/merge/digest-file.js';
import { parseMergeSource } from '../../../src/merge/options.js';
import { resolveLegs } from '../../../src/merge/source.js';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;
const leg: LegDigest = { platform: 'linux/arm/v7', digest: D1, commit: 'c'.repeat(40), images: ['ghcr.io/acme/app', 'docker.io/acme/app'] };

describe('the digest file', () => {
  it('round-trips a leg through one JSON line, in a file named for its platform', () => {
    const text = formatDigestFile(leg);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(parseDigestFile(digestFileName(leg.platform), text)).toEqual({ leg });
    expect(digestFileName('linux/arm/v7')).toBe('linux-arm-v7');
  });

  it.each<[string, string, string, object]>([
    ["docker's empty file named by the hex", 'a'.repeat(64), '', { digest: D1 }],
    ['a bare digest line', 'x', `${D2}\n`, { digest: D2 }],
    ['an empty file with another name', 'linux-amd64', '', { error: 'the file is empty and its name is no sha256 hex digest' }],
    ['text that is neither', 'notes.txt', 'hello', { error: 'it is neither a digest nor the JSON line a push-by-digest leg writes' }],
    ['a bad digest', 'linux-amd64', JSON.stringify({ platform: 'linux/amd64', digest: 'sha256:12' }), { error: '"digest" is not a sha256 digest: "sha256:12"' }],
  ])('%s', (_, name, text, want) => {
    expect(parseDigestFile(name, text)).toEqual(want);
  });

  it('refuses a platform that is none', () => {
    const r = parseDigestFile('x', JSON.stringify({ platform: 'amd64', digest: D1 }));
    expect(r).toHaveProperty('error');
    expect((r as { error: string }).error).toContain('"platform" "amd64" is not a platform');
  });

  it.each<[string, string | undefined]>([
    [D1, D1],
    [` ${'b'.repeat(64)} `, D2],
    ['sha256:abc', undefined],
    ['linux/amd64', undefined],
  ])('digestOfLine(%j)', (line, want) => expect(digestOfLine(line)).toBe(want));
});

describe('parseMergeSource: merge-digests', () => {
  it.each<[string, string, object | undefined]>([
    ['empty', '', undefined],
    ['comments only', '# nothing\n', undefined],
    ['digests one per line, hex or sha256:', `${D1}\n\n${'b'.repeat(64)}\n`, { digests: [D1, D2] }],
    ['one line naming a folder, relative to the workspace', 'digests', { dir: '/ws/digests' }],
    ['an absolute folder', '/tmp/d', { dir: '/tmp/d' }],
  ])('%s', (_, raw, want) => expect(parseMergeSource(raw, '/ws')).toEqual(want));

  it('names the line that is no digest when there are several', () => {
    expect(() => parseMergeSource(`${D1}\nsha256:nope`, '/ws')).toThrow(/Input 'merge-digests': "sha256:nope" is not a sha256 digest/);
  });
});

describe('resolveLegs: the folder the legs downloaded into', () => {
  const dir = (): string => mkdtempSync(path.join(os.tmpdir(), 'ip-legs-'));

  it('reads every regular file, our format and docker\'s, and drops a digest named twice', () => {
    const d = dir();
    writeFileSync(path.join(d, 'linux-arm-v7'), formatDigestFile(leg));
    writeFileSync(path.join(d, 'b'.repeat(64)), '');
    writeFileSync(path.join(d, 'copy'), `${D1}\n`);
    mkdirSync(path.join(d, 'sub'));
    expect(resolveLegs({ dir: d })).toEqual([
      { digest: D2, file: 'b'.repeat(64) },
      { digest: D1, file: 'linux-arm-v7', platform: 'linux/arm/v7', commit: leg.commit },
    ]);
  });

  it('takes the digests of the lines as they are', () => {
    expect(resolveLegs({ digests: [D1, D2, D1] })).toEqual([{ digest: D1 }, { digest: D2 }]);
  });

  it('keeps what our file claims, for the checks', () => {
    const d = dir();
    writeFileSync(path.join(d, 'linux-arm-v7'), formatDigestFile(leg));
    expect(resolveLegs({ dir: d })).toEqual([{ digest: D1, file: 'linux-arm-v7', platform: 'linux/arm/v7', commit: leg.commit }]);
  });

  it.each<[string, (d: string) => string, RegExp]>([
    ['a missing folder', (d) => path.join(d, 'nope'), /Input 'merge-digests': the folder ".*nope" does not exist; download .*actions\/download-artifact.*merge-multiple: true/],
    ['an empty folder', (d) => d, /holds no digest file; download .*merge-multiple: true/],
    [
      'a folder of folders (download-artifact without merge-multiple)',
      (d) => {
        mkdirSync(path.join(d, 'digests-linux-amd64'));
        return d;
      },
      /holds only folders \(digests-linux-amd64\): without merge-multiple: true/,
    ],
    [
      'a file that does not parse, named with the fix',
      (d) => {
        writeFileSync(path.join(d, 'README'), 'hello');
        return d;
      },
      /the file "README" in ".*" is no digest file: it is neither a digest.*Keep only the files push-by-digest legs wrote/,
    ],
  ])('refuses %s', (_, make, want) => {
    expect(() => resolveLegs({ dir: make(dir()) })).toThrow(want);
  });
});
