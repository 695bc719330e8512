/**
 * #19.7 what the repository and its build hand back is data. A `.dockerignore -> /dev/zero` (which took 1.85 GB in a
 * second) and a module's `pom.xml -> /dev/zero` (1.2 GB in the cache-key hashing) now fail at once, saying which file
 * and why, before any build or push; a jar the "build" left as a link out of the tree is refused too.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheService, type CacheService } from '../support/cache-service.ts';
import { branchEvent, tagEvent } from '../support/events.ts';
import { buildWith, contextWorkspace } from '../support/native.ts';
import { runAction, type ActionRun } from '../support/runner.ts';
import { registryTags, services, SHADED, uniqueRepo, workspace, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const site = { Dockerfile: 'ARG BASE\nFROM ${BASE}\nCOPY site/ /www/\n', 'site/index.html': '<h1>hello</h1>\n' };

describe.each(['docker', 'native'] as const)('builder: %s, .dockerignore -> /dev/zero', (builder) => {
  const repo = uniqueRepo('zero-ignore');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = contextWorkspace(site);
    symlinkSync('/dev/zero', path.join(ws.dir, '.dockerignore'));
    ({ run } = await buildWith(s, ws, repo, builder));
  });

  it('fails before building, naming the link and what it points at', async () => {
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error::Input 'context': \.dockerignore is a link to \/dev\/zero, outside the context and the Dockerfile's folder; make it a plain file/);
    expect(run.main.log).not.toContain('::group::Build the image');
    expect(await registryTags(s, `${repo}-${builder}`)).toEqual([]);
  });
});

describe('a Maven module whose pom.xml -> /dev/zero, with the Actions cache on', () => {
  const repo = uniqueRepo('zero-pom');
  let svc: CacheService;
  let run: ActionRun;
  beforeAll(async () => {
    svc = await startCacheService();
    const ws = workspace(SHADED);
    mkdirSync(path.join(ws.dir, 'sub'));
    symlinkSync('/dev/zero', path.join(ws.dir, 'sub', 'pom.xml'));
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: { ...ws.env, ...svc.env },
      inputs: { images: `${s.registry}/${repo}`, registry: s.registry, username: s.user, password: s.password },
    });
  });
  afterAll(async () => svc?.stop());

  it('fails in the cache-key hashing, before the build tool runs, naming the file and the fix', async () => {
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error::Input 'working-directory': sub\/pom\.xml \(a link to \/dev\/zero\) lies outside .*; this action reads build files as data: make each a regular file of at most 4 MiB inside the project/);
    expect(run.main.log).not.toContain('::group::Java build');
    expect(await registryTags(s, repo)).toEqual([]);
  });
});

describe('a jar left as a link out of the working directory', () => {
  const repo = uniqueRepo('link-jar');
  let run: ActionRun;
  beforeAll(async () => {
    const ws = contextWorkspace({ Dockerfile: 'ARG BASE\nFROM ${BASE}\nARG JAR_FILE\nCOPY ${JAR_FILE} /app.jar\n' });
    mkdirSync(path.join(ws.dir, 'target'));
    symlinkSync('/etc/passwd', path.join(ws.dir, 'target', 'app.jar'));
    run = await runAction({
      workspace: ws.dir,
      event: branchEvent(ws.sha, 'main'),
      inputs: { 'java-tool': 'none', artifact: 'target/app.jar', images: `${s.registry}/${repo}`, tags: 'type=raw,value=v1', 'build-args': `BASE=${s.baseImage}`, registry: s.registry, username: s.user, password: s.password, cache: 'false', builder: 'native' },
    });
  });

  it('is refused before the image is built, naming the link', async () => {
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error::The jar target\/app\.jar \(a link to \/etc\/passwd\) lies outside .*The image takes only a jar the build wrote as a regular file/);
    expect(run.main.log).not.toContain('::group::Build the image');
    expect(await registryTags(s, repo)).toEqual([]);
  });
});
