import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCacheArgs, inlineCacheArgs, layerDirs, pickLayerExport, previousImageRefs, type CacheMode, type LayerExport } from '../../../src/cache/layers.js';

const CLASSIC = '[["Backing Filesystem","extfs"],["Supports d_type","true"],["Using metacopy","false"],["Native Overlay Diff","true"],["userxattr","false"]]';
const CONTAINERD = '[["driver-type","io.containerd.snapshotter.v1"]]';

describe('which layer cache a builder can keep', () => {
  it.each<[string, string | undefined, string | undefined, LayerExport | undefined, RegExp]>([
    ['docker-container builder (docker/setup-buildx-action)', 'docker-container', undefined, 'max', /docker-container builder exports every layer/],
    ['remote builder', 'remote', undefined, 'max', /remote builder/],
    ['kubernetes builder', 'kubernetes', CLASSIC, 'max', /kubernetes/],
    ['docker driver, containerd image store', 'docker', CONTAINERD, 'max', /containerd image store exports every layer/],
    ['docker driver, classic image store (ubuntu-24.04 hosted runners)', 'docker', CLASSIC, 'inline', /classic image store exports no cache/],
    ['docker driver, engine unreadable', 'docker', undefined, undefined, /could not be read/],
    ['builder not inspectable', undefined, CONTAINERD, undefined, /could not be inspected/],
  ])('%s', (_, driver, status, exporter, why) => {
    const pick = pickLayerExport(driver, status);
    expect(pick.export).toBe(exporter);
    expect(pick.why).toMatch(why);
  });
});

describe('the earlier images an inline cache comes from', () => {
  const img = '127.0.0.1:5000/team/app';
  it.each<[string, string[], string | undefined, string[]]>([
    ['branch push: the branch tag, the sha tag, then latest', ['main', 'sha-1a2b3c4'], img, [`${img}:main`, `${img}:sha-1a2b3c4`, `${img}:latest`]],
    ['release: latest is among the tags once', ['1.2.3', 'latest'], img, [`${img}:1.2.3`, `${img}:latest`]],
    ['at most three lookups', ['1.2.3', '1.2', '1', 'latest'], img, [`${img}:1.2.3`, `${img}:1.2`, `${img}:1`]],
    ['no tag: latest only', [], img, [`${img}:latest`]],
    ['no image name: nothing', ['main'], undefined, []],
  ])('%s', (_, tags, image, want) => {
    expect(previousImageRefs(tags, image)).toEqual(want);
  });

  it('imports from every source, exports inline only when writing', () => {
    expect(inlineCacheArgs(['r/a:1', 'r/a:latest'], true)).toEqual(['--cache-from', 'type=registry,ref=r/a:1', '--cache-from', 'type=registry,ref=r/a:latest', '--cache-to', 'type=inline']);
    expect(inlineCacheArgs(['r/a:1'], false)).toEqual(['--cache-from', 'type=registry,ref=r/a:1']);
  });
});

describe('the cache flags of a build, per builder and cache-mode', () => {
  const img = '127.0.0.1:5000/team/app';
  const tags = ['main'];
  const dirs = layerDirs(mkdtempSync(path.join(os.tmpdir(), 'layer-args-')));
  mkdirSync(dirs.current, { recursive: true });
  writeFileSync(path.join(dirs.current, 'index.json'), '{}');
  const fresh = layerDirs(mkdtempSync(path.join(os.tmpdir(), 'layer-args-')));
  it.each<[string, LayerExport, CacheMode, { current: string; next: string } | undefined, boolean, string[]]>([
    // a docker-container builder and the containerd store: as before this change
    ['max, actions, restored, writing', 'max', 'actions', dirs, true, ['--cache-from', `type=local,src=${dirs.current}`, '--cache-to', `type=local,dest=${dirs.next},mode=max`]],
    ['max, actions, nothing restored, writing', 'max', 'actions', fresh, true, ['--cache-to', `type=local,dest=${fresh.next},mode=max`]],
    ['max, actions, exact hit: read only', 'max', 'actions', dirs, false, ['--cache-from', `type=local,src=${dirs.current}`]],
    ['max, registry, pushing', 'max', 'registry', undefined, true, ['--cache-from', `type=registry,ref=${img}:buildcache`, '--cache-to', `type=registry,ref=${img}:buildcache,mode=max`]],
    ['max, registry, not pushing', 'max', 'registry', undefined, false, ['--cache-from', `type=registry,ref=${img}:buildcache`]],
    // the classic store's docker builder: no export but inline
    ['inline, actions, pushing', 'inline', 'actions', undefined, true, ['--cache-from', `type=registry,ref=${img}:main`, '--cache-from', `type=registry,ref=${img}:latest`, '--cache-to', 'type=inline']],
    ['inline, actions, pull request (no write)', 'inline', 'actions', undefined, false, ['--cache-from', `type=registry,ref=${img}:main`, '--cache-from', `type=registry,ref=${img}:latest`]],
    [
      'inline, registry: buildcache is read, never written',
      'inline',
      'registry',
      undefined,
      true,
      ['--cache-from', `type=registry,ref=${img}:buildcache`, '--cache-from', `type=registry,ref=${img}:main`, '--cache-from', `type=registry,ref=${img}:latest`, '--cache-to', 'type=inline'],
    ],
  ])('%s', (_, exporter, mode, d, write, want) => {
    const args = buildCacheArgs(exporter, mode, { image: img, tags, dirs: d }, write);
    expect(args).toEqual(want);
    if (exporter === 'inline') expect(args.join(' ')).not.toMatch(/type=local|mode=max/);
  });
});
