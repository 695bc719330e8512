// What a run reports against what the registries hold: the outputs, the metadata JSON and the job summary, for a
// run that pushed to two registries and for one where a registry refused the push (then no tag is written anywhere).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { appWorkspace, PASSWORD, startRegistry, USER } from './support/fixtures.ts';
import type { MemoryRegistry } from './support/registry.ts';
import { runInProcess, type InProcessRun } from './support/run.ts';

const auth = (...hosts: string[]): string => hosts.map((h) => `- registry: "${h}"\n  username: ${USER}\n  password: ${PASSWORD}\n`).join('');

interface Metadata {
  digest: string;
  refs: string[];
  registries: { registry: string; refs: string[]; digest: string; pushed: boolean; error?: string }[];
}

describe('a release pushed to two registries', () => {
  let a: MemoryRegistry;
  let b: MemoryRegistry;
  let run: InProcessRun;
  beforeAll(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    const ws = appWorkspace();
    run = await runInProcess({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v2.1.0'),
      inputs: { 'java-tool': 'none', builder: 'native', cache: 'false', images: `${a.host}/acme/app\n${b.host}/team/app`, tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}', 'registry-auth': auth(a.host, b.host) },
    });
  });
  afterAll(() => Promise.all([a.stop(), b.stop()]));

  it('every tag on each registry names the digest output', () => {
    expect(run.error, run.log).toBeUndefined();
    expect(run.outputs.pushed).toBe('true');
    expect(run.outputs['tag-names'].split('\n')).toEqual(['2.1.0', '2', 'latest']);
    expect(a.tags('acme/app')).toEqual(['2', '2.1.0', 'latest']);
    expect(b.tags('team/app')).toEqual(['2', '2.1.0', 'latest']);
    for (const tag of ['2.1.0', '2', 'latest']) {
      expect(a.manifest('acme/app', tag)?.digest).toBe(run.outputs.digest);
      expect(b.manifest('team/app', tag)?.digest).toBe(run.outputs.digest);
    }
  });

  it('the metadata output lists each registry with its references', () => {
    const meta = JSON.parse(run.outputs.metadata) as Metadata;
    expect(meta.digest).toBe(run.outputs.digest);
    expect(meta.registries.map((r) => [r.registry, r.pushed, r.digest, r.refs])).toEqual([
      [a.host, true, run.outputs.digest, ['2.1.0', '2', 'latest'].map((t) => `${a.host}/acme/app:${t}`)],
      [b.host, true, run.outputs.digest, ['2.1.0', '2', 'latest'].map((t) => `${b.host}/team/app:${t}`)],
    ]);
  });

  it('the job summary has a row per registry with the digest, and no secret', () => {
    expect(run.summary).toContain('## image-publish published');
    for (const [host, repo] of [
      [a.host, 'acme/app'],
      [b.host, 'team/app'],
    ]) {
      expect(run.summary).toContain(`| ${host} | \`${host}/${repo}\` | \`${run.outputs.digest}\` | \`2.1.0\` \`2\` \`latest\` | pushed |`);
    }
    expect(run.everything).not.toContain(PASSWORD);
    expect(run.secrets).toContain(PASSWORD);
  });
});

describe('one of two registries refuses the push', () => {
  let a: MemoryRegistry;
  let b: MemoryRegistry;
  let run: InProcessRun;
  beforeAll(async () => {
    a = await startRegistry();
    // reads are allowed, so the run's checks before the build pass; the first write is refused
    b = await startRegistry({ readOnly: [USER] });
    const ws = appWorkspace();
    run = await runInProcess({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v2.1.0'),
      inputs: { 'java-tool': 'none', builder: 'native', cache: 'false', images: `${a.host}/acme/app\n${b.host}/team/app`, tags: 'type=semver,pattern={{version}}', 'registry-auth': auth(a.host, b.host) },
    });
  });
  afterAll(() => Promise.all([a.stop(), b.stop()]));

  it('fails naming that registry, and writes no tag on either (the image may be on one, by digest only)', () => {
    expect(run.error).toMatch(/^Push failed for /);
    expect(run.error).toContain(`${b.host} (`);
    expect(run.error).toContain(`${a.host} (no tag written: ${b.host} lacks the manifest)`);
    expect(run.error).toMatch(/No registry got the image\.$/);
    expect(a.tags('acme/app')).toEqual([]);
    expect(b.tags('team/app')).toEqual([]);
    expect(run.outputs.pushed).toBe('false');
  });

  it('reports it in the outputs and the summary, with the stage that failed', () => {
    const meta = JSON.parse(run.outputs.metadata) as Metadata;
    expect(meta.registries.map((r) => [r.registry, r.pushed])).toEqual([
      [a.host, false],
      [b.host, false],
    ]);
    expect(meta.registries[1].error).toBeTruthy();
    expect(run.summary).toContain('**Stage that failed:**');
    expect(run.summary).toContain(b.host);
    // main did not finish: post saves no cache for this run
    expect(JSON.parse(run.state['image-publish'] ?? '{}').succeeded).not.toBe(true);
  });
});

describe('two images on one registry, one name a prefix of the other', () => {
  let a: MemoryRegistry;
  let run: InProcessRun;
  beforeAll(async () => {
    a = await startRegistry();
    const ws = appWorkspace();
    run = await runInProcess({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v2.1.0'),
      inputs: { 'java-tool': 'none', builder: 'native', cache: 'false', images: `${a.host}/acme/a\n${a.host}/acme/ab`, tags: 'type=semver,pattern={{version}}', 'registry-auth': auth(a.host) },
    });
  });
  afterAll(() => a.stop());

  it('each repository holds its own tags at the digest output', () => {
    expect(run.error, run.log).toBeUndefined();
    for (const repo of ['acme/a', 'acme/ab']) {
      expect(a.tags(repo)).toEqual(['2.1.0', 'latest']);
      for (const tag of ['2.1.0', 'latest']) expect(a.manifest(repo, tag)?.digest).toBe(run.outputs.digest);
    }
  });

  it('the summary has a row per repository, each with its own tags; the outputs name both', () => {
    for (const repo of ['acme/a', 'acme/ab']) expect(run.summary).toContain(`| ${a.host} | \`${a.host}/${repo}\` | \`${run.outputs.digest}\` | \`2.1.0\` \`latest\` | pushed |`);
    // no row mixes the two: the first repository's row ends after its own two tags
    expect(run.summary).not.toMatch(/`latest` `2\.1\.0`/);
    const meta = JSON.parse(run.outputs.metadata) as Metadata;
    expect(meta.registries.map((r) => [r.registry, r.refs])).toEqual([[a.host, ['acme/a', 'acme/ab'].flatMap((repo) => ['2.1.0', 'latest'].map((t) => `${a.host}/${repo}:${t}`))]]);
    expect(Object.keys(meta.registries[0]).sort()).toEqual(['digest', 'pushed', 'refs', 'registry']);
    expect(run.outputs.tags.split('\n')).toEqual(meta.registries[0].refs);
  });
});
