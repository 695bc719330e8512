// @module-tag engine-settings (a hostile build without the wall writes to every GITHUB_OUTPUT it finds on the machine: runs alone)
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileJobs, type HostileJobs } from '../support/hostile-job.ts';
import { pathWithout, processesWith } from '../support/hostile.ts';
import { registryTags, services, uniqueRepo, type Services } from '../support/services.ts';

// The hostile build of sandbox.test.ts on a runner that cannot wall it in.

let s: Services;
let jobs: HostileJobs;

beforeAll(() => {
  s = services();
  jobs = hostileJobs(s);
});

afterAll(() => jobs?.killSurvivors());

describe('a runner without isolation (no unshare, setpriv or sudo on the action\'s PATH)', () => {
  let bare: string;
  beforeAll(() => {
    bare = pathWithout(mkdtempSync(path.join(os.tmpdir(), 'ip-bare-path-')), ['unshare', 'setpriv', 'sudo']);
  });

  it('build-isolation: required fails before the build', async () => {
    const h = jobs.workspace('maven');
    const repo = uniqueRepo('required');
    const run = await jobs.publish(h, repo, { 'build-isolation': 'required' }, { PATH: bare });
    expect(run.main.code).toBe(1);
    expect(run.main.log).toContain("::error::Input 'build-isolation': is required, but this runner cannot isolate the build: unshare, setpriv are not on PATH (util-linux)");
    expect(existsSync(h.loot)).toBe(false);
    expect(run.main.log).not.toContain('::group::Compute tags and labels');
    expect(await registryTags(s, repo)).toEqual([]);
  });

  it('auto warns once, naming what the build can read, and kills what the build left running', async () => {
    const h = jobs.workspace('maven');
    const run = await jobs.publish(h, uniqueRepo('unwalled'), { push: 'false', sign: 'none' }, { PATH: bare });
    expect(run.main.code, run.main.log).toBe(0);
    expect(existsSync(path.join(h.loot, 'ran'))).toBe(true);
    const warnings = run.main.log.split('\n').filter((l) => l.startsWith('::warning::The Java build runs without isolation'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('unshare, setpriv are not on PATH');
    expect(warnings[0]).toContain('GITHUB_OUTPUT');
    expect(run.main.log).toMatch(/::warning::\d+ process(es)? of the build outlived it and (was|were) killed/);
    expect(processesWith(`ip-survivor-${h.id}`)).toEqual([]);
    // the relay still holds without the wall: the build's own printed commands do nothing
    expect(run.outputs.digest).not.toContain('forged');
  });
});
