import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/runner.ts';

/** The rooms the README's map names: the folders in its first column, in the order written. */
function mappedRooms(readme: string): string[] {
  const section = readme.split('### The rooms of `src/`\n')[1]?.split('\n### ')[0] ?? '';
  const firstColumns = [...section.matchAll(/^\| ([^|]+) \|/gm)].map((m) => m[1]);
  return firstColumns.flatMap((cell) => [...cell.matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1]));
}

describe('the README map of the rooms', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const src = path.join(ROOT, 'src');
  const folders = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

  it('names every folder of src/, and no folder that is not there', () => {
    expect(mappedRooms(readme).sort()).toEqual([...folders].sort());
  });

  it('has the unit tests mirror src/: every test folder is a room, support/ for __tests__/support or bench/ for bench/', () => {
    const tests = readdirSync(path.join(ROOT, '__tests__/unit'), { withFileTypes: true }).filter((e) => e.isDirectory());
    const notRooms = tests.map((e) => e.name).filter((n) => !folders.includes(n) && n !== 'support' && n !== 'bench');
    expect(notRooms).toEqual([]);
  });
});
