// A cache service that is down, on a runner as it is: nothing engine-wide is touched (no prune, no image removed),
// so this runs beside the other files, not in the engine-settings lane with cache.test.ts. Most of its time is
// @actions/cache's own back-off (5 attempts per call, from 3 s), which a runner meets the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { tagEvent } from '../support/events.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { services, uniqueRepo, workspace } from '../support/services.ts';

describe('a cache service that answers 500 to everything', () => {
  let svc: CacheService;
  let run: ActionRun;
  const repo = uniqueRepo('cache500');
  beforeAll(async () => {
    const s = services();
    svc = await startCacheService({ mode: 'fail500' });
    // Maven, so that the dependency and jar caches are asked for too
    const ws = workspace('__tests__/fixtures/maven-shaded');
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: { ...ws.env, ...svc.env },
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('publishes anyway, with warnings', () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.post.code, run.post.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    expect(run.main.log).toMatch(/::warning::Failed to restore/);
    expect(svc.calls().every((c) => c.status === 500)).toBe(true);
    expect(svc.calls().length).toBeGreaterThan(0);
  });
});
