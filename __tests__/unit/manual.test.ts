import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/runner.ts';

interface ActionYml {
  runs: { using: string; main: string; post: string };
  inputs: Record<string, { description?: string; default?: string }>;
  outputs: Record<string, { description?: string }>;
}

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function tableNames(heading: string): string[] {
  const section = readme.split(`## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
}

describe('action.yml and the README agree', () => {
  it('runs the committed bundle on node24, main and post', () => {
    expect(action.runs.using).toBe('node24');
    expect(existsSync(path.join(ROOT, action.runs.main))).toBe(true);
    expect(existsSync(path.join(ROOT, action.runs.post))).toBe(true);
  });

  it('documents every input and output, and nothing else', () => {
    expect(tableNames('Inputs')).toEqual(Object.keys(action.inputs));
    expect(tableNames('Outputs')).toEqual(Object.keys(action.outputs));
  });

  it('gives every input and output a description', () => {
    for (const [name, def] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(def.description, name).toBeTruthy();
    }
  });

  it('opens with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('bash scripts/demo.sh');
    expect(firstBlock).toContain('bash .ci/run');
  });
});
