/**
 * Expectations ported from docker/metadata-action's __tests__/meta.test.ts (same fixtures, same inputs):
 * version, tags (same order) and the OCI labels.
 */
import { describe, expect, test } from 'vitest';
import { computeMeta, type MetaInputs, type Version } from '../../../src/tags/index.js';
import { FIXTURES, inputs, NOW, ociLabels, REPO } from './fixtures.js';

type Row = [name: string, fixture: string, inputs: Partial<MetaInputs>, version: Version, tags: string[]];

const two = ['org/app', 'ghcr.io/user/app'];
const v = (main: string | undefined, partial: string[], latest: boolean): Version => (main === undefined ? { partial, latest } : { main, partial, latest });
const both = (...names: string[]): string[] => two.flatMap(i => names.map(n => `${i}:${n}`));
const app = (...names: string[]): string[] => names.map(n => `user/app:${n}`);
const org = (...names: string[]): string[] => names.map(n => `org/app:${n}`);

const rows: Row[] = [
  ['null01', 'null', { images: ['user/app'] }, v(undefined, [], false), []],
  ['null02', 'null', { images: ['user/app'], tags: ['type=sha', 'type=raw,{{branch}}'] }, v(undefined, [], false), []],
  ['push01', 'push_dev', { images: ['user/app'] }, v('dev', [], false), app('dev')],
  ['push02', 'push_master', { images: ['user/app'], tags: ['type=edge'] }, v('edge', [], false), app('edge')],
  ['push03', 'push_master', { images: ['user/app'] }, v('master', [], false), app('master')],
  ['push04', 'workflow_dispatch', { images: ['user/app'], tags: ['type=edge'] }, v('edge', [], false), app('edge')],
  ['push05', 'push_dev', { images: two }, v('dev', [], false), both('dev')],
  ['push06', 'push_master', { images: two, tags: ['type=edge'] }, v('edge', [], false), both('edge')],
  ['push07', 'push_dev', { images: two, tags: ['type=ref,event=branch', 'type=sha'] }, v('dev', ['sha-860c190'], false), both('dev', 'sha-860c190')],
  ['push08', 'push_master', { images: two, tags: ['type=edge', 'type=sha'] }, v('edge', ['sha-2665741'], false), both('edge', 'sha-2665741')],
  ['push09', 'push_dev', { images: two, tags: ['type=edge,branch=dev', 'type=sha'] }, v('edge', ['sha-860c190'], false), both('edge', 'sha-860c190')],
  ['push10', 'push_master', { images: two, tags: ['type=edge,branch=dev', 'type=sha'] }, v('sha-2665741', [], false), both('sha-2665741')],
  ['push11', 'push_invalidchars', { images: two, tags: ['type=edge', 'type=sha'] }, v('sha-983315b', [], false), both('sha-983315b')],
  ['push12', 'push_invalidchars', { images: two, tags: ['type=semver,pattern={{version}}', 'type=pep440,pattern={{version}}', 'type=edge'] }, v(undefined, [], false), []],
  ['push13', 'push_master', { images: ['user/app'], tags: ['type=ref,priority=2000,event=branch', 'type=edge'] }, v('master', ['edge'], false), app('master', 'edge')],
  ['push14', 'push_master', { images: ['user/app'], tags: ['type=semver,pattern={{version}},value=v1.2.3', 'type=pep440,pattern={{version}},value=v1.2.3', 'type=edge'] }, v('1.2.3', ['edge'], true), app('1.2.3', 'edge', 'latest')],
  ['push15', 'push_master', { images: ['user/app'], tags: ['type=match,pattern=v(.*),group=1,value=v1.2.3', 'type=edge'] }, v('1.2.3', ['edge'], true), app('1.2.3', 'edge', 'latest')],
  ['push16', 'push_master', { images: ['user/app'], tags: ['type=match,enable=false,pattern=v(.*),group=1,value=v1.2.3', 'type=edge'] }, v('edge', [], false), app('edge')],
  [
    'push17',
    'push_master',
    {
      images: ['user/app'],
      tags: [
        'type=raw,value=mytag-{{branch}}',
        "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
        "type=raw,value=mytag-cd-{{commit_date 'YYYYMMDD'}}",
        "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
        'type=raw,value=mytag-tag-{{tag}}',
        'type=raw,value=mytag-baseref-{{base_ref}}',
        'type=raw,value=mytag-defbranch,enable={{is_default_branch}}',
      ],
    },
    v('mytag-master', ['mytag-20200110', 'mytag-cd-20200110', 'mytag-20200110-093000', 'mytag-tag-', 'mytag-baseref-', 'mytag-defbranch'], false),
    app('mytag-master', 'mytag-20200110', 'mytag-cd-20200110', 'mytag-20200110-093000', 'mytag-tag-', 'mytag-baseref-', 'mytag-defbranch'),
  ],
  ['push18', 'push_dev', { images: two, tags: ['type=ref,event=branch', 'type=sha,format=long'] }, v('dev', [`sha-${FIXTURES.push_dev.sha}`], false), both('dev', `sha-${FIXTURES.push_dev.sha}`)],
  [
    'push19',
    'push_dev',
    { images: two, tags: ['type=edge,branch=master', 'type=ref,event=branch,enable=false', 'type=sha,format=long', 'type=raw,value=defbranch,enable={{is_default_branch}}'] },
    v(`sha-${FIXTURES.push_dev.sha}`, [], false),
    both(`sha-${FIXTURES.push_dev.sha}`),
  ],
  [
    'push20',
    'push_dev',
    { images: ['org/app', 'ghcr.io/user/app,enable=false'], tags: ['type=edge,branch=master', 'type=ref,event=branch,enable=false', 'type=sha,format=long'] },
    v(`sha-${FIXTURES.push_dev.sha}`, [], false),
    org(`sha-${FIXTURES.push_dev.sha}`),
  ],
  ['tag01', 'tag_release1', { images: ['user/app'] }, v('release1', [], true), app('release1', 'latest')],
  ['tag02', 'tag_20200110-RC2', { images: ['user/app'] }, v('20200110-RC2', [], true), app('20200110-RC2', 'latest')],
  ['tag03', 'tag_20200110-RC2', { images: ['user/app'], tags: ['type=match,pattern=\\d{8}'], flavor: ['latest=false'] }, v('20200110', [], false), app('20200110')],
  ['tag04', 'tag_20200110-RC2', { images: ['user/app'], tags: ['type=match,pattern=(.*)-RC,group=1'], flavor: ['latest=false'] }, v('20200110', [], false), app('20200110')],
  ['tag05', 'tag_v1.1.1', { images: two, tags: ['type=match,"pattern=\\d.\\d.\\d"'] }, v('1.1.1', [], true), both('1.1.1', 'latest')],
  ['tag06', 'tag_v1.1.1', { images: two, tags: ['type=match,"pattern=^v(\\d.\\d.\\d)$",group=1'] }, v('1.1.1', [], true), both('1.1.1', 'latest')],
  ['tag07', 'tag_v2.0.8-beta.67', { images: two, tags: ['type=match,"pattern=\\d.\\d.\\d-(alpha|beta).\\d+"'] }, v('2.0.8-beta.67', [], true), both('2.0.8-beta.67', 'latest')],
  ['tag08', 'tag_v2.0.8-beta.67', { images: two, tags: ['type=match,"pattern=\\d.\\d"'] }, v('2.0', [], true), both('2.0', 'latest')],
  ['tag09', 'tag_v2.0.8-beta.67', { images: two, tags: ['type=match,"pattern=v(.*)-beta.(.*)",group=1', 'type=match,"pattern=v(.*)-beta.(.*)",group=2'] }, v('2.0.8', ['67'], true), both('2.0.8', '67', 'latest')],
  ['tag10', 'tag_sometag', { images: two, tags: ['type=match,"pattern=\\d.\\d"'] }, v(undefined, [], false), []],
  ['tag11', 'tag_v1.1.1', { images: two, tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'] }, v('1.1.1', ['1.1', '1'], true), both('1.1.1', '1.1', '1', 'latest')],
  ['tag12', 'tag_v1.1.1', { images: two, tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'] }, v('1.1.1', [], true), both('1.1.1', 'latest')],
  ['tag13', 'tag_v2.0.8-beta.67', { images: two, tags: ['type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'] }, v('2.0.8-beta.67', [], false), both('2.0.8-beta.67')],
  [
    'tag14',
    'tag_sometag',
    { images: ['ghcr.io/user/app'], tags: ['type=ref,event=tag', 'type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'], flavor: ['latest=false'] },
    v('sometag', [], false),
    ['ghcr.io/user/app:sometag'],
  ],
  ['tag15', 'tag_v2.0.8-beta.67', { images: two, tags: ['type=raw,priority=2000,foo', 'type=semver,pattern={{version}}', 'type=match,"pattern=\\d.\\d"'] }, v('foo', ['2.0.8-beta.67', '2.0'], false), both('foo', '2.0.8-beta.67', '2.0')],
  ['tag16', 'tag_v1.1.1', { images: two, tags: ['type=raw,priority=2000,foo', 'type=ref,event=tag', 'type=edge'] }, v('foo', ['v1.1.1'], false), both('foo', 'v1.1.1')],
  [
    'tag17',
    'tag_p1-v1.0.0',
    { images: two, tags: ['type=match,"pattern=/^v(\\d.\\d.\\d)$/ig",group=1', 'type=match,pattern=\\d.\\d.\\d', 'type=match,pattern=\\d.\\d', 'type=ref,event=pr', 'type=sha'] },
    v('1.0.0', ['1.0', 'sha-860c190'], true),
    both('1.0.0', '1.0', 'sha-860c190', 'latest'),
  ],
  [
    'tag18',
    'tag_p1-v1.0.0',
    { images: two, tags: ['type=match,pattern=p1/v(\\d.\\d.\\d),group=1', 'type=match,pattern=p1/v(\\d.\\d),group=1', 'type=match,pattern=p1/v(\\d.\\d),group=3', 'type=ref,event=pr', 'type=sha'] },
    v('1.0.0', ['1.0', 'sha-860c190'], true),
    both('1.0.0', '1.0', 'sha-860c190', 'latest'),
  ],
  [
    'tag19',
    'tag_p1-v1.0.0',
    { images: two, tags: ['type=match,pattern=p1/v(\\d.\\d.\\d),group=1', 'type=match,pattern=p1/v(\\d.\\d),group=1,suffix=', 'type=ref,event=pr', 'type=sha'], flavor: ['suffix=-dev'] },
    v('1.0.0-dev', ['1.0', 'sha-860c190-dev'], true),
    both('1.0.0-dev', '1.0', 'sha-860c190-dev', 'latest'),
  ],
  ['tag20', 'tag_v1.1.1', { images: two, tags: ['type=raw,{{tag}}-{{sha}}-foo', 'type=raw,{{base_ref}}-foo', 'type=raw,defbranch-foo,enable={{is_default_branch}}'] }, v('v1.1.1-860c190-foo', ['master-foo'], false), both('v1.1.1-860c190-foo', 'master-foo')],
  ['tag21', 'tag_v1.1.1', { images: two, tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'], flavor: ['suffix=-dev,onlatest=true'] }, v('1.1.1-dev', [], true), both('1.1.1-dev', 'latest-dev')],
  [
    'tag22',
    'tag_v1.1.1',
    { images: two, tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'], flavor: ['prefix=foo-,onlatest=true', 'suffix=-dev,onlatest=true'] },
    v('foo-1.1.1-dev', [], true),
    both('foo-1.1.1-dev', 'foo-latest-dev'),
  ],
  ['tag23', 'tag_v1.1.1', { images: ['org/app'], tags: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{major}}.{{minor}}'] }, v('v1.1.1', ['1.1'], true), org('v1.1.1', '1.1', 'latest')],
  ['tag24', 'tag_1.2', { images: ['org/app'], tags: ['type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}'] }, v('1.2', [], true), org('1.2', 'latest')],
  ['tag25', 'tag_1.1beta2', { images: two, tags: ['type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] }, v('1.1b2', [], false), both('1.1b2')],
  ['tag26', 'tag_1.0dev4', { images: two, tags: ['type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] }, v('1.0.dev4', [], false), both('1.0.dev4')],
  [
    'tag27',
    'tag_1.2.3rc2',
    { images: two, tags: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] },
    v('1.2.3rc2', [], false),
    both('1.2.3rc2'),
  ],
  [
    'tag28',
    'tag_v1.1.1',
    { images: ['org/app'], tags: ['type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}.{{patch}}', 'type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] },
    v('1.1.1', ['1.1', '1'], true),
    org('1.1.1', '1.1', '1', 'latest'),
  ],
  ['tag29', 'tag_1.2post1', { images: ['org/app'], tags: ['type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] }, v('1.2.post1', [], false), org('1.2.post1')],
  [
    'tag30',
    'tag_sometag',
    { images: ['ghcr.io/user/app'], tags: ['type=ref,event=tag', 'type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'], flavor: ['latest=false'] },
    v('sometag', [], false),
    ['ghcr.io/user/app:sometag'],
  ],
  ['tag31', 'tag_v2.0.8-beta.67', { images: two, tags: ['type=semver,pattern={{raw}}'] }, v('v2.0.8-beta.67', [], false), both('v2.0.8-beta.67')],
  ['tag32', 'tag_v1.2.3rc2', { images: two, tags: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{major}}.{{minor}}'] }, v('v1.2.3rc2', ['1.2.3rc2'], false), both('v1.2.3rc2', '1.2.3rc2')],
  [
    'tag33',
    'tag_v1.1.1',
    { images: [], tags: ['type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}.{{patch}}', 'type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] },
    v('1.1.1', ['1.1', '1'], true),
    ['1.1.1', '1.1', '1', 'latest'],
  ],
  ['latest01', 'tag_release1', { images: ['user/app'], tags: ['type=match,"pattern=^release\\d{1,2}"'] }, v('release1', [], true), app('release1', 'latest')],
  ['latest02', 'tag_20200110-RC2', { images: ['user/app'], tags: ['type=match,"pattern=^\\d+-RC\\d{1,2}"'] }, v('20200110-RC2', [], true), app('20200110-RC2', 'latest')],
  ['latest03', 'tag_20200110-RC2', { images: ['user/app'], tags: ['type=match,pattern=\\d{8}'] }, v('20200110', [], true), app('20200110', 'latest')],
  ['latest04', 'tag_v1.1.1', { images: ['user/app'], tags: ['type=match,"pattern=\\d.\\d.\\d"'] }, v('1.1.1', [], true), app('1.1.1', 'latest')],
  ['latest05', 'tag_v1.1.1', { images: two }, v('v1.1.1', [], true), both('v1.1.1', 'latest')],
  ['latest06', 'tag_v2.0.8-beta.67', { images: two, tags: ['type=match,"pattern=\\d.\\d.\\d"'] }, v('2.0.8', [], true), both('2.0.8', 'latest')],
  ['latest07', 'tag_v1.1.1', { images: two, tags: ['type=ref,event=tag'], flavor: ['latest=false'] }, v('v1.1.1', [], false), both('v1.1.1')],
  ['latest08', 'tag_v1.1.1', { images: ['org/app', 'ghcr.io/MyUSER/MyApp'], tags: ['type=ref,event=tag'], flavor: ['latest=false'] }, v('v1.1.1', [], false), ['org/app:v1.1.1', 'ghcr.io/myuser/myapp:v1.1.1']],
  ['latest10', 'tag_v2.0.8-beta.67', { images: [], tags: ['type=match,"pattern=\\d.\\d.\\d"'] }, v('2.0.8', [], true), ['2.0.8', 'latest']],
  ['pr01', 'pull_request', { images: ['user/app'] }, v('pr-15', [], false), app('pr-15')],
  ['pr02', 'pull_request', { images: two }, v('pr-15', [], false), both('pr-15')],
  ['pr03', 'pull_request', { images: two, tags: ['type=ref,event=pr', 'type=sha'] }, v('pr-15', ['sha-a9c8c58'], false), both('pr-15', 'sha-a9c8c58')],
  ['pr04', 'pull_request', { images: two, tags: ['type=sha,priority=2000', 'type=ref,event=pr'] }, v('sha-a9c8c58', ['pr-15'], false), both('sha-a9c8c58', 'pr-15')],
  ['pr05', 'pull_request', { images: two, tags: ['type=ref,event=pr'], flavor: ['prefix=glo-', 'suffix=-bal'] }, v('pr-15-bal', [], false), both('pr-15-bal')],
  ['pr06', 'pull_request', { images: two, tags: ['type=ref,event=pr,prefix='], flavor: ['prefix=glo-', 'suffix=-bal'] }, v('15-bal', [], false), both('15-bal')],
  ['pr07', 'pull_request_target', { images: two, tags: ['type=sha,priority=2000', 'type=ref,event=pr'] }, v('sha-2665741', ['pr-15'], false), both('sha-2665741', 'pr-15')],
];

describe('metadata-action parity (meta.test.ts)', () => {
  test.each(rows)('%s (%s)', (_name, fixture, partial, version, tags) => {
    const ctx = FIXTURES[fixture];
    const meta = computeMeta(inputs(partial), ctx, REPO, NOW);
    expect(meta.version).toEqual(version);
    expect(meta.tags).toEqual(tags);
    const revision = fixture === 'pull_request_target' ? ctx.sha : ctx.sha;
    expect(meta.labels).toEqual(ociLabels(revision, version.main ?? ''));
    expect(meta.annotations).toEqual(ociLabels(revision, version.main ?? '').map(l => `manifest:${l}`));
  });

  test('latest09: user labels and annotations override by key, sorted', () => {
    const meta = computeMeta(
      inputs({
        images: ['org/app', 'ghcr.io/MyUSER/MyApp'],
        tags: ['type=ref,event=tag'],
        flavor: ['latest=false'],
        labels: ['maintainer=CrazyMax', 'org.opencontainers.image.description=this is a "good" example', 'org.opencontainers.image.title=MyCustomTitle', 'org.opencontainers.image.vendor=MyCompany'],
        annotations: ['maintainer=Foo', 'org.opencontainers.image.description=this is a "bad" example', 'org.opencontainers.image.title=MyNotTitle', 'org.opencontainers.image.vendor=MyNotCompany'],
      }),
      FIXTURES['tag_v1.1.1'],
      REPO,
      NOW,
    );
    expect(meta.tags).toEqual(['org/app:v1.1.1', 'ghcr.io/myuser/myapp:v1.1.1']);
    expect(meta.labels).toEqual([
      'maintainer=CrazyMax',
      'org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
      'org.opencontainers.image.description=this is a "good" example',
      'org.opencontainers.image.licenses=MIT',
      'org.opencontainers.image.revision=860c1904a1ce19322e91ac35af1ab07466440c37',
      'org.opencontainers.image.source=https://github.com/octocat/Hello-World',
      'org.opencontainers.image.title=MyCustomTitle',
      'org.opencontainers.image.url=https://github.com/octocat/Hello-World',
      'org.opencontainers.image.vendor=MyCompany',
      'org.opencontainers.image.version=v1.1.1',
    ]);
    expect(meta.annotations).toEqual([
      'manifest:maintainer=Foo',
      'manifest:org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
      'manifest:org.opencontainers.image.description=this is a "bad" example',
      'manifest:org.opencontainers.image.licenses=MIT',
      'manifest:org.opencontainers.image.revision=860c1904a1ce19322e91ac35af1ab07466440c37',
      'manifest:org.opencontainers.image.source=https://github.com/octocat/Hello-World',
      'manifest:org.opencontainers.image.title=MyNotTitle',
      'manifest:org.opencontainers.image.url=https://github.com/octocat/Hello-World',
      'manifest:org.opencontainers.image.vendor=MyNotCompany',
      'manifest:org.opencontainers.image.version=v1.1.1',
    ]);
  });

  test('push21: no image gives bare tags; commit_date in a label', () => {
    const meta = computeMeta(
      inputs({
        tags: ['type=raw,value=mytag-{{branch}}', "type=raw,value=mytag-src-{{commit_date 'YYYYMMDD'}}"],
        labels: ["org.opencontainers.image.created={{commit_date 'YYYY-MM-DDTHH:mm:ss.SSS[Z]'}}"],
      }),
      FIXTURES.push_master,
      REPO,
      NOW,
    );
    expect(meta.tags).toEqual(['mytag-master', 'mytag-src-20200110']);
    expect(meta.labels).toEqual(ociLabels(FIXTURES.push_master.sha, 'mytag-master'));
  });
});
