/** The bench's figures: medians per (fixture, scenario, contender), the issue's table, the targets. Pure. */
import { bytes, markdownTable, median, ratio, sec } from './format.ts';
import type { Contender, RunResult, Scenario, ScenarioDef } from './types.ts';
import { LABEL } from './types.ts';

export interface Summary {
  fixture: string;
  scenario: Scenario;
  contender: Contender;
  runs: number;
  failed: number;
  /** NaN when any run of the cell failed: a failed run gives no number, and neither does its cell. */
  wallMs: number;
  stages: Record<string, number>;
  registryBytes: number;
  cacheUploadBytes: number;
  cacheDownloadBytes: number;
}

export function summarize(results: RunResult[]): Summary[] {
  const cells = new Map<string, RunResult[]>();
  for (const r of results) {
    const k = `${r.fixture}\0${r.scenario}\0${r.contender}`;
    cells.set(k, [...(cells.get(k) ?? []), r]);
  }
  return [...cells.values()].map((all) => {
    const ok = all.filter((r) => r.ok);
    const failed = all.length - ok.length;
    const med = (f: (r: RunResult) => number) => (failed ? NaN : median(ok.map(f)));
    const keys = [...new Set(ok.flatMap((r) => Object.keys(r.stages)))];
    return {
      fixture: all[0].fixture,
      scenario: all[0].scenario,
      contender: all[0].contender,
      runs: all.length,
      failed,
      wallMs: med((r) => r.wallMs),
      stages: Object.fromEntries(keys.map((k) => [k, med((r) => r.stages[k] ?? 0)])),
      registryBytes: med((r) => r.registryBytes),
      cacheUploadBytes: med((r) => r.cacheUploadBytes),
      cacheDownloadBytes: med((r) => r.cacheDownloadBytes),
    };
  });
}

const find = (sum: Summary[], f: string, sc: Scenario, c: Contender) => sum.find((x) => x.fixture === f && x.scenario === sc && x.contender === c);
const cellTime = (x: Summary | undefined): string => (!x ? '' : x.failed ? `FAILED (${x.failed}/${x.runs})` : `${sec(x.wallMs)} s`);

/** The issue's table: app, scenario, time per contender, action / Jib, bytes of the action and of Jib. */
export function issueTable(sum: Summary[], fixtures: { id: string; title: string }[], scenarios: ScenarioDef[], contenders: Contender[]): string {
  const timed = contenders.filter((c) => c !== 'hand' || sum.some((x) => x.contender === 'hand'));
  const rows = [['app', 'scenario', ...timed.map((c) => LABEL[c]), 'action / Jib', 'bytes: action, Jib']];
  for (const f of fixtures) {
    let first = true;
    for (const s of scenarios) {
      const cells = timed.map((c) => find(sum, f.id, s.id, c));
      if (cells.every((x) => !x)) continue;
      const [a, j] = [find(sum, f.id, s.id, 'action'), find(sum, f.id, s.id, 'jib')];
      const b = (x: Summary | undefined) => (x && !x.failed ? bytes(x.registryBytes) : '-');
      rows.push([first ? f.title : '', s.title, ...cells.map(cellTime), ratio(a?.wallMs, j?.wallMs), `${b(a)}, ${b(j)}`]);
      first = false;
    }
  }
  return markdownTable(rows);
}

/** Per-stage medians, so the README can say where the time still goes. */
export function stageTable(sum: Summary[], fixtures: { id: string; title: string }[], scenarios: ScenarioDef[]): string {
  const rows = [['app', 'scenario', 'contender', 'wall', 'stages (s)', 'cache up / down']];
  for (const f of fixtures)
    for (const s of scenarios)
      for (const x of sum.filter((y) => y.fixture === f.id && y.scenario === s.id)) {
        const named = Object.entries(x.stages).filter(([k]) => k !== 'mainStep');
        const other = x.wallMs - named.reduce((t, [, v]) => t + v, 0);
        const stages = [...named.map(([k, v]) => `${k} ${sec(v)}`), ...(x.contender === 'hand' ? [] : [`other ${sec(other)}`])].join(', ');
        const cache = x.contender === 'hand' ? '-' : `${bytes(x.cacheUploadBytes)} / ${bytes(x.cacheDownloadBytes)}`;
        rows.push([f.id, s.title, LABEL[x.contender], cellTime(x), x.failed ? '-' : stages, x.failed ? '-' : cache]);
      }
  return markdownTable(rows);
}

export interface Target {
  fixture: string;
  scenario: Scenario;
  what: string;
  measured: string;
  met: boolean;
}

/** Issue 20's targets, against Jib in the same run. */
export function targets(sum: Summary[], fixtures: string[]): Target[] {
  const out: Target[] = [];
  for (const f of fixtures) {
    const time = (sc: Scenario, max: number) => {
      const [a, j] = [find(sum, f, sc, 'action'), find(sum, f, sc, 'jib')];
      if (!a || !j) return;
      const r = a.wallMs / j.wallMs;
      out.push({ fixture: f, scenario: sc, what: `time <= ${max}x Jib`, measured: ratio(a.wallMs, j.wallMs), met: r <= max });
    };
    time('cold', 0.8);
    time('unchanged', 0.1);
    time('change', 0.5);
    const [a, j] = [find(sum, f, 'change', 'action'), find(sum, f, 'change', 'jib')];
    if (a && j) out.push({ fixture: f, scenario: 'change', what: 'bytes <= Jib', measured: `${bytes(a.registryBytes)} vs ${bytes(j.registryBytes)}`, met: a.registryBytes <= j.registryBytes });
  }
  return out;
}

export function targetTable(tg: Target[]): string {
  return markdownTable([['app', 'scenario', 'target', 'measured', 'met'], ...tg.map((t) => [t.fixture, t.scenario, t.what, t.measured, t.met ? 'yes' : 'NO'])]);
}
