import { describe, expect, it } from 'vitest';
import { issueTable, summarize, targets } from '../../../bench/report.ts';
import type { RunResult } from '../../../bench/types.ts';

const run = (o: Partial<RunResult>): RunResult => ({
  fixture: 'example',
  rep: 1,
  scenario: 'change',
  contender: 'action',
  ok: true,
  wallMs: 1000,
  stages: {},
  registryBytes: 100,
  registryBytesRaw: 100,
  cacheUploadBytes: 0,
  cacheDownloadBytes: 0,
  tags: [],
  ...o,
});

describe('bench report', () => {
  it('takes medians per fixture, scenario and contender', () => {
    const sum = summarize([run({ wallMs: 1000, rep: 1 }), run({ wallMs: 3000, rep: 2 }), run({ wallMs: 8000, rep: 3 }), run({ contender: 'jib', wallMs: 4000 })]);
    expect(sum.find((s) => s.contender === 'action')).toMatchObject({ runs: 3, failed: 0, wallMs: 3000 });
    expect(sum.find((s) => s.contender === 'jib')).toMatchObject({ runs: 1, wallMs: 4000 });
  });

  it('gives a cell with a failed run no number, and says FAILED in the table', () => {
    const sum = summarize([run({ wallMs: 1000 }), run({ ok: false, wallMs: 200, rep: 2 }), run({ contender: 'jib', wallMs: 4000 })]);
    expect(sum.find((s) => s.contender === 'action')?.wallMs).toBeNaN();
    const table = issueTable(sum, [{ id: 'example', title: 'example app' }], [{ id: 'change', title: 'one-line code change', tag: 'v1' }], ['action', 'jib']);
    expect(table).toContain('FAILED (1/2)');
    expect(table).toContain('4.0 s');
    expect(table).not.toContain('0.2 s');
    expect(table).not.toContain('×');
  });

  it('puts the action / Jib ratio and both byte counts in the issue table', () => {
    const sum = summarize([run({ wallMs: 2500, registryBytes: 2048 }), run({ contender: 'jib', wallMs: 5000, registryBytes: 4096 })]);
    const table = issueTable(sum, [{ id: 'example', title: 'example app' }], [{ id: 'change', title: 'one-line code change', tag: 'v1' }], ['action', 'jib']);
    expect(table).toContain('| example app | one-line code change | 2.5 s  | 5.0 s | 0.50×');
    expect(table).toContain('2.0 KB, 4.0 KB');
  });

  it('checks issue 20 targets against Jib', () => {
    const sum = summarize([run({ wallMs: 2500, registryBytes: 5000 }), run({ contender: 'jib', wallMs: 5000, registryBytes: 4096 })]);
    const tg = targets(sum, ['example']);
    expect(tg.find((t) => t.what.startsWith('time'))).toMatchObject({ met: true, measured: '0.50×' });
    expect(tg.find((t) => t.what.startsWith('bytes'))).toMatchObject({ met: false });
  });
});
