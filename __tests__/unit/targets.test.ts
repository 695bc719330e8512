/** The publish targets, worked out once from the `images` input and the metadata: each image with its bare tags. */
import { describe, expect, it } from 'vitest';
import { parseImageName } from '../../src/oci/name.js';
import { computeMeta, parseImages, type MetaInputs } from '../../src/tags/index.js';
import { publishTargets, targetRefs, targetsByRegistry } from '../../src/targets.js';
import { FIXTURES, inputs, NOW, REPO } from './tags/fixtures.js';

/** As the action reads `images` (enabled only, parsed once), then the metadata for that event; the targets from both. */
function targetsOf(lines: string[], meta: Partial<MetaInputs>, ctx = FIXTURES['tag_v1.1.1']) {
  const images = parseImages(lines)
    .filter((i) => i.enable)
    .map((i) => parseImageName(i.name, 'images'));
  const m = computeMeta(inputs({ images: images.map((i) => i.name), ...meta }), ctx, REPO, NOW);
  return { m, targets: publishTargets(images, m.tagNames) };
}

const SEMVER = ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}'];

describe('publishTargets', () => {
  it.each<[string, string[], Partial<MetaInputs>, [string, string, string, string[]][]]>([
    [
      'two images on one registry, one name a prefix of the other',
      ['127.0.0.1:5000/acme/a', '127.0.0.1:5000/acme/ab'],
      { tags: SEMVER },
      [
        ['127.0.0.1:5000', 'acme/a', '127.0.0.1:5000/acme/a', ['1.1.1', '1.1', 'latest']],
        ['127.0.0.1:5000', 'acme/ab', '127.0.0.1:5000/acme/ab', ['1.1.1', '1.1', 'latest']],
      ],
    ],
    [
      'a repository nested under another of the same registry',
      ['reg.example/acme/a', 'reg.example/acme/a/b'],
      { tags: ['type=ref,event=tag'] },
      [
        ['reg.example', 'acme/a', 'reg.example/acme/a', ['v1.1.1', 'latest']],
        ['reg.example', 'acme/a/b', 'reg.example/acme/a/b', ['v1.1.1', 'latest']],
      ],
    ],
    [
      'two registries, the same repository; ports; an IPv6 host',
      ['127.0.0.1:5000/team/app', '[::1]:5001/team/app', 'registry.image-publish.test:5443/team/app'],
      { tags: ['type=semver,pattern={{version}}'] },
      [
        ['127.0.0.1:5000', 'team/app', '127.0.0.1:5000/team/app', ['1.1.1', 'latest']],
        ['[::1]:5001', 'team/app', '[::1]:5001/team/app', ['1.1.1', 'latest']],
        ['registry.image-publish.test:5443', 'team/app', 'registry.image-publish.test:5443/team/app', ['1.1.1', 'latest']],
      ],
    ],
    [
      'Docker Hub spelled three ways, lowercased, official image',
      ['Acme/App', 'docker.io/acme/other', 'nginx'],
      { tags: ['type=raw,value=x'] },
      [
        ['docker.io', 'acme/app', 'acme/app', ['x']],
        ['docker.io', 'acme/other', 'docker.io/acme/other', ['x']],
        ['docker.io', 'library/nginx', 'nginx', ['x']],
      ],
    ],
    [
      'flavor: latest=false, a prefix and a suffix',
      ['ghcr.io/o/a', 'ghcr.io/o/ab'],
      { tags: ['type=semver,pattern={{version}}'], flavor: ['latest=false', 'prefix=v', 'suffix=-jre'] },
      [
        ['ghcr.io', 'o/a', 'ghcr.io/o/a', ['v1.1.1-jre']],
        ['ghcr.io', 'o/ab', 'ghcr.io/o/ab', ['v1.1.1-jre']],
      ],
    ],
    [
      'flavor: latest=true with the prefix on latest too',
      ['ghcr.io/o/a'],
      { tags: ['type=raw,value=edge'], flavor: ['latest=true', 'prefix=j17-,onlatest=true'] },
      [['ghcr.io', 'o/a', 'ghcr.io/o/a', ['j17-edge', 'j17-latest']]],
    ],
    ['a disabled image is no target', ['name=ghcr.io/o/a,enable=false', 'name=ghcr.io/o/b'], { tags: ['type=raw,value=x'] }, [['ghcr.io', 'o/b', 'ghcr.io/o/b', ['x']]]],
    ['no image: no target (the tags are bare names)', [], { tags: ['type=raw,value=x'] }, []],
  ])('%s', (_, lines, meta, want) => {
    const { m, targets } = targetsOf(lines, meta);
    expect(targets.map((t) => [t.image.registry, t.image.repository, t.image.name, t.tags])).toEqual(want);
    // the `tags` output stays metadata-action's: formatting the targets gives exactly it, in its order
    if (targets.length) expect(targetRefs(targets)).toEqual(m.tags);
    // no target's tag names another image
    for (const t of targets) for (const tag of t.tags) expect(tag).not.toMatch(/[:/@]/);
  });

  it('groups targets by registry, registries in first-seen order, each with its own repositories', () => {
    const { targets } = targetsOf(['127.0.0.1:5000/acme/a', '[::1]:5001/acme/a', '127.0.0.1:5000/acme/ab'], { tags: ['type=raw,value=1'] });
    expect([...targetsByRegistry(targets)].map(([r, ts]) => [r, ts.map((t) => t.image.repository)])).toEqual([
      ['127.0.0.1:5000', ['acme/a', 'acme/ab']],
      ['[::1]:5001', ['acme/a']],
    ]);
  });
});
