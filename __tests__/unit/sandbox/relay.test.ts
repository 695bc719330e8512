import { describe, expect, it } from 'vitest';
import { commandRelay, stopToken } from '../../../src/sandbox/relay.js';

/** Reads a log as the runner does: commands act only outside stop-commands, and only at the start of a line. */
function runnerCommands(log: string): string[] {
  const acted: string[] = [];
  let stopped: string | undefined;
  for (const line of log.split('\n')) {
    if (stopped) {
      if (line === `::${stopped}::`) stopped = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) stopped = stop[1];
    else if (line.startsWith('::')) acted.push(line);
  }
  return acted;
}

describe('the stop-commands relay', () => {
  const hostile = '::set-output name=digest::sha256:forged\n::save-state name=image-publish::{}\n::add-mask::sha256\n::error::hostile\n';
  it('wraps the output so the runner acts on none of its commands', () => {
    let log = '';
    const r = commandRelay((t) => (log += t));
    r.write(hostile);
    r.end();
    expect(runnerCommands(log)).toEqual([]);
    expect(log).toContain('::set-output name=digest::sha256:forged');
    expect(runnerCommands(`${log}::set-output name=digest::sha256:ours\n`)).toEqual(['::set-output name=digest::sha256:ours']);
  });

  it('resumes on a line of its own when the process left a line unfinished', () => {
    let log = '';
    const r = commandRelay((t) => (log += t), 'a'.repeat(32));
    r.write('no newline at the end');
    r.end();
    expect(log).toBe(`::stop-commands::${'a'.repeat(32)}\nno newline at the end\n::${'a'.repeat(32)}::\n`);
    expect(runnerCommands(`${log}::notice::after\n`)).toEqual(['::notice::after']);
  });

  it('takes a fresh 128-bit token every time', () => {
    const tokens = new Set(Array.from({ length: 200 }, stopToken));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a build that guesses a token, or resumes with one of its own, cannot resume commands', () => {
    let log = '';
    const r = commandRelay((t) => (log += t));
    // what a build can try: its own stop and resume, the token of an earlier run, an empty token
    r.write(`::stop-commands::mine\n::mine::\n::${stopToken()}::\n::::\n::set-output name=digest::forged\n`);
    r.end();
    expect(runnerCommands(log)).toEqual([]);
  });

  it('ends once, and writes nothing after', () => {
    let log = '';
    const r = commandRelay((t) => (log += t), 'b'.repeat(32));
    r.end();
    r.write('::error::late\n');
    r.end();
    expect(log).toBe(`::stop-commands::${'b'.repeat(32)}\n::${'b'.repeat(32)}::\n`);
  });

  it('refuses a token that is not random-looking', () => {
    expect(() => commandRelay(() => undefined, 'digest')).toThrow(/random hex/);
  });
});
