/** Types, attributes, flavors, events, outputs and errors, including our additions beyond metadata-action. */
import { describe, expect, test } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { computeMeta, parseFlavor, parseTagRules, type MetaContext, type MetaInputs } from '../../../src/tags/index.js';
import { FIXTURES, inputs, NOW, REPO, SHA_DEV, SHA_PR, SHA_PR_HEAD } from './fixtures.js';

type Row = [name: string, ctx: MetaContext, inputs: Partial<MetaInputs>, main: string | undefined, names: string[], latest: boolean];

const push = (ref: string, extra: Partial<MetaContext> = {}): MetaContext => ({ ...FIXTURES.push_dev, ref, ...extra });

const rows: Row[] = [
  ['schedule default nightly', FIXTURES.schedule, { tags: ['type=schedule'] }, 'nightly', ['nightly'], false],
  ['schedule date pattern', FIXTURES.schedule, { tags: ["type=schedule,pattern={{date 'YYYYMMDD'}}"] }, '20200110', ['20200110'], false],
  ['schedule date tz', FIXTURES.schedule, { tags: ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}"] }, '20200110-093000', ['20200110-093000'], false],
  ['schedule tz New York (day before)', FIXTURES.schedule, { tags: ["type=schedule,pattern={{date 'YYYY.MM.DD' tz='America/New_York'}}"] }, '2020.01.09', ['2020.01.09'], false],
  ['schedule pattern ignores global exps', FIXTURES.schedule, { tags: ['type=schedule,pattern=n-{{branch}}'] }, 'n-', ['n-'], false],
  ['schedule defaults (ref branch too)', FIXTURES.schedule, {}, 'nightly', ['nightly', 'master'], false],
  ['schedule rule ignored on push', FIXTURES.push_dev, { tags: ['type=schedule', 'type=ref,event=branch'] }, 'dev', ['dev'], false],
  ['schedule is_default_branch', FIXTURES.schedule, { tags: ['type=raw,value=x,enable={{is_default_branch}}'] }, 'x', ['x'], false],
  ['is_not_default_branch on dev', FIXTURES.push_dev, { tags: ['type=raw,value=x,enable={{is_not_default_branch}}'] }, 'x', ['x'], false],
  ['is_not_default_branch on master', FIXTURES.push_master, { tags: ['type=raw,value=x,enable={{is_not_default_branch}}'] }, undefined, [], false],
  ['ctx.defaultBranch override', { ...FIXTURES.push_dev, defaultBranch: 'dev' }, { tags: ['type=raw,value=x,enable={{is_default_branch}}'] }, 'x', ['x'], false],
  ['bare value is raw', FIXTURES.push_dev, { tags: ['foo', 'bar'] }, 'foo', ['foo', 'bar'], false],
  ['comments and blanks ignored', FIXTURES.push_dev, { tags: ['# comment', '', 'type=raw,value=a#b'] }, 'a-b', ['a-b'], false],
  ['quoted field with comma', FIXTURES['tag_v1.1.1'], { tags: ['type=match,"pattern=\\d{1,3}.\\d{1,3}"'] }, '1.1', ['1.1', 'latest'], true],
  ['doubled quote in quoted field', FIXTURES.push_dev, { tags: ['type=raw,"value=a""b"'] }, 'a-b', ['a-b'], false],
  ['sanitize branch', FIXTURES.push_invalidchars, { tags: ['type=ref,event=branch'] }, 'my-feature-1245', ['my-feature-1245'], false],
  ['branch raw expression sanitized', FIXTURES.push_invalidchars, { tags: ['type=raw,value={{branch}}'] }, 'my-feature-1245', ['my-feature-1245'], false],
  ['sha long + custom prefix', FIXTURES.push_dev, { tags: ['type=sha,format=long,prefix='] }, SHA_DEV, [SHA_DEV], false],
  ['sha suffix and flavor prefix ignored', FIXTURES.push_dev, { tags: ['type=sha,suffix=-x'], flavor: ['prefix=p-'] }, 'sha-860c190-x', ['sha-860c190-x'], false],
  ['short sha length', FIXTURES.push_dev, { tags: ['type=sha', 'type=raw,value=s-{{sha}}'], shortShaLength: 12 }, 's-860c1904a1ce', ['s-860c1904a1ce', 'sha-860c1904a1ce'], false],
  ['edge uses repo default branch', FIXTURES.push_master, { tags: ['type=edge'] }, 'edge', ['edge'], false],
  ['edge not on tag', FIXTURES['tag_v1.1.1'], { tags: ['type=edge', 'type=ref,event=tag'] }, 'v1.1.1', ['v1.1.1', 'latest'], true],
  ['semver value= on branch', FIXTURES.push_dev, { tags: ['type=semver,pattern={{major}}.{{minor}},value=2.3.4'] }, '2.3', ['2.3', 'latest'], true],
  ['semver value= from expression', FIXTURES['tag_p1-v1.0.0'], { tags: ['type=semver,pattern={{version}},value={{tag}}'] }, undefined, [], false],
  ['semver match=', FIXTURES['tag_p1-v1.0.0'], { tags: ['type=semver,pattern={{version}},match=p1/v(\\d.\\d.\\d)$', 'type=semver,pattern={{major}},match=p1/v(\\d.\\d.\\d)$'] }, '1.0.0', ['1.0.0', '1', 'latest'], true],
  ['semver major zero', push('refs/tags/v0.2.3'), { tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'] }, '0.2.3', ['0.2.3', '0.2', '0', 'latest'], true],
  ['semver prerelease collapses', FIXTURES['tag_v2.0.8-beta.67'], { tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern=v{{major}}'] }, '2.0.8-beta.67', ['2.0.8-beta.67'], false],
  ['semver build metadata', FIXTURES['tag_v9.5.7-alpha.2+fork.3.1.8'], { tags: ['type=semver,pattern={{raw}}', 'type=semver,pattern={{version}}'] }, 'v9.5.7-alpha.2-fork.3.1.8', ['v9.5.7-alpha.2-fork.3.1.8', '9.5.7-alpha.2'], false],
  ['semver with prefix/suffix attrs', FIXTURES['tag_v1.1.1'], { tags: ['type=semver,pattern={{version}},prefix=v,suffix=-slim'] }, 'v1.1.1-slim', ['v1.1.1-slim', 'latest'], true],
  ['release event', FIXTURES.release, { tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}'] }, '1.1.1', ['1.1.1', '1', 'latest'], true],
  ['pep440 value= and epoch/local', FIXTURES.push_dev, { tags: ['type=pep440,pattern={{version}},value=1!2.0+Local-1'] }, '1-2.0-local.1', ['1-2.0-local.1', 'latest'], true],
  ['pep440 alternate spellings', FIXTURES.push_dev, { tags: ['type=pep440,pattern={{version}},value=1.0-alpha.1', 'type=pep440,pattern={{version}},value=1.0-r2'] }, '1.0a1', ['1.0a1', '1.0.post2'], false],
  ['match with flags and value', FIXTURES.push_dev, { tags: ['type=match,pattern=/^V(\\d+)/i,group=1,value=v42-x'] }, '42', ['42', 'latest'], true],
  ['match no tag, no value', FIXTURES.push_dev, { tags: ['type=match,pattern=\\d'] }, undefined, [], false],
  ['ref pr custom prefix', FIXTURES.pull_request, { tags: ['type=ref,event=pr,prefix=pull-'] }, 'pull-15', ['pull-15'], false],
  ['ref branch on pr: nothing', FIXTURES.pull_request, { tags: ['type=ref,event=branch'] }, undefined, [], false],
  ['base_ref on pr', FIXTURES.pull_request, { tags: ['type=raw,value=to-{{base_ref}}'] }, 'to-master', ['to-master'], false],
  ['flavor latest=true on branch', FIXTURES.push_dev, { tags: ['type=ref,event=branch'], flavor: ['latest=true'] }, 'dev', ['dev', 'latest'], true],
  ['flavor latest=false on tag', FIXTURES['tag_v1.1.1'], { flavor: ['latest=false'] }, 'v1.1.1', ['v1.1.1'], false],
  ['flavor prefix onlatest=false', FIXTURES['tag_v1.1.1'], { flavor: ['prefix=x-,onlatest=false'] }, 'x-v1.1.1', ['x-v1.1.1', 'latest'], true],
  ['flavor prefix onlatest raw (not rendered)', FIXTURES['tag_v1.1.1'], { flavor: ['prefix={{sha}}-,onlatest=true'] }, '860c190-v1.1.1', ['860c190-v1.1.1', '-sha--latest'], true],
  ['flavor suffix expression', FIXTURES.push_dev, { tags: ['type=ref,event=branch'], flavor: ['suffix=-{{sha}}'] }, 'dev-860c190', ['dev-860c190'], false],
  ['priority ties keep input order', FIXTURES.push_dev, { tags: ['type=raw,value=b', 'type=raw,value=a', 'type=raw,value=c,priority=201'] }, 'c', ['c', 'b', 'a'], false],
  ['partials deduped', FIXTURES.push_dev, { tags: ['type=raw,value=a', 'type=raw,value=b', 'type=raw,value=b', 'type=raw,value=a'] }, 'a', ['a', 'b'], false],
  ['empty value skipped', FIXTURES.push_dev, { tags: ['type=raw,value={{tag}}', 'type=ref,event=branch'] }, 'dev', ['dev'], false],
  ['escape in expression output', FIXTURES.push_dev, { tags: ['type=raw,value=a=b', 'type=raw,value={{branch}}'] }, 'a-b', ['a-b', 'dev'], false],
  ['unknown event', { eventName: 'issues', ref: '', sha: SHA_DEV, payload: {} }, {}, undefined, [], false],
];

describe('computeMeta', () => {
  test.each(rows)('%s', (_n, ctx, partial, main, names, latest) => {
    const meta = computeMeta(inputs(partial), ctx, REPO, NOW);
    expect(meta.version.main).toBe(main);
    expect(meta.tagNames).toEqual(names);
    expect(meta.version.latest).toBe(latest);
  });

  test('outputs, separators and json shape', () => {
    const meta = computeMeta(inputs({ images: ['Org/App', 'ghcr.io/o/a'], tags: ['type=ref,event=branch', 'type=sha'], sepTags: ',', sepLabels: ';', labels: ['a=1'] }), FIXTURES.push_dev, REPO, NOW);
    expect(meta.tags).toEqual(['org/app:dev', 'org/app:sha-860c190', 'ghcr.io/o/a:dev', 'ghcr.io/o/a:sha-860c190']);
    expect(meta.outputs.tags).toBe(meta.tags.join(','));
    expect(meta.outputs.tagNames).toBe('dev,sha-860c190');
    expect(meta.outputs.labels.split(';')[0]).toBe('a=1');
    expect(meta.outputs.annotations.split('\n')).toHaveLength(8);
    expect(JSON.parse(meta.outputs.json)).toEqual({ tags: meta.tags, labels: meta.json.labels, annotations: meta.annotations });
    expect(meta.json.labels['org.opencontainers.image.version']).toBe('dev');
    expect(meta.json.labels['a']).toBe('1');
  });

  test('images: one comma separated line, and enable=false', () => {
    expect(computeMeta(inputs({ images: ['a/b,c/d'] }), FIXTURES.push_dev, REPO, NOW).tags).toEqual(['a/b:dev', 'c/d:dev']);
    expect(computeMeta(inputs({ images: ['name=a/b', 'name=c/d,enable=false'] }), FIXTURES.push_dev, REPO, NOW).tags).toEqual(['a/b:dev']);
  });

  test('labels: expressions, values with =, entries without = dropped, annotation levels', () => {
    const meta = computeMeta(
      inputs({ labels: ['x.branch={{branch}}', 'x.eq=a=b', 'novalue', "x.date={{date 'YYYY'}}"], annotations: ['k=v'], annotationLevels: ['manifest', 'index'] }),
      FIXTURES.push_dev,
      REPO,
      NOW,
    );
    expect(meta.labels.filter(l => l.startsWith('x.'))).toEqual(['x.branch=dev', 'x.date=2020', 'x.eq=a=b']);
    expect(meta.labels.some(l => l.startsWith('novalue'))).toBe(false);
    expect(meta.annotations.filter(a => a.includes(':k='))).toEqual(['manifest:k=v', 'index:k=v']);
  });

  test('commit date from the push payload when not injected', () => {
    const ctx: MetaContext = { ...FIXTURES.push_dev, commitDate: undefined, payload: { head_commit: { id: SHA_DEV, timestamp: '2019-12-31T23:00:00+01:00' } } };
    const meta = computeMeta(inputs({ tags: ["type=raw,value={{commit_date 'YYYYMMDD-HHmm'}}"] }), ctx, REPO, NOW);
    expect(meta.version.main).toBe('20191231-2200');
    expect(meta.labels).toContain('org.opencontainers.image.created=2019-12-31T22:00:00.000Z');
  });

  test('an unknown time zone: a warning, and UTC (metadata-action only logs an error and keeps the runner zone)', () => {
    const meta = computeMeta(inputs({ tags: ["type=raw,value={{date 'YYYYMMDD-HHmm' tz='Mars/Olympus'}}"] }), FIXTURES.push_dev, REPO, NOW);
    expect(meta.version.main).toBe(computeMeta(inputs({ tags: ["type=raw,value={{date 'YYYYMMDD-HHmm'}}"] }), FIXTURES.push_dev, REPO, NOW).version.main);
    expect(meta.warnings).toContain('unknown time zone "Mars/Olympus" in {{date}}: UTC is used');
  });

  test('warnings: invalid semver and no version', () => {
    const meta = computeMeta(inputs({ tags: ['type=semver,pattern={{version}}'] }), FIXTURES.tag_sometag, REPO, NOW);
    expect(meta.warnings).toContain('sometag is not a valid semver. More info: https://semver.org/');
    expect(meta.warnings.at(-1)).toMatch(/No Docker image version/);
  });
});

describe('beyond metadata-action', () => {
  const later = new Date('2021-06-01T12:00:00.000Z');
  test('created label is the commit time by default, wall clock with created=now', () => {
    const ctx = { ...FIXTURES.push_dev, commitDate: new Date('2019-05-05T05:05:05.000Z') };
    expect(computeMeta(inputs({}), ctx, REPO, later).json.labels['org.opencontainers.image.created']).toBe('2019-05-05T05:05:05.000Z');
    expect(computeMeta(inputs({ flavor: ['created=now'] }), ctx, REPO, later).json.labels['org.opencontainers.image.created']).toBe('2021-06-01T12:00:00.000Z');
  });

  const semverTags = ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}},floating=highest', 'type=semver,pattern={{major}},floating=highest'];
  const backport = push('refs/tags/v1.2.4');
  test.each([
    ['highest: nothing newer', ['1.2.3', '1.1.0', 'latest', 'sha-1234567'], ['1.2.4', '1.2', '1', 'latest']],
    ['newer major only', ['2.0.0', '1.2.3'], ['1.2.4', '1.2', '1']],
    ['newer minor in the major', ['1.3.0', 'v1.2.3'], ['1.2.4', '1.2']],
    ['newer patch in the minor', ['v1.2.5', '1.3.0'], ['1.2.4']],
    ['newer prerelease ignored', ['1.3.0-rc.1', '2.0.0-beta'], ['1.2.4', '1.2', '1', 'latest']],
    ['published undefined: behaves as auto', undefined, ['1.2.4', '1.2', '1', 'latest']],
  ] as Array<[string, string[] | undefined, string[]]>)('latest=highest, floating=highest: %s', (_n, published, names) => {
    const meta = computeMeta(inputs({ tags: semverTags, flavor: ['latest=highest'] }), backport, REPO, NOW, published);
    expect(meta.tagNames).toEqual(names);
  });

  test('floating=highest without latest=highest keeps latest auto; plain rules still move', () => {
    const meta = computeMeta(inputs({ tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}},floating=highest', 'type=semver,pattern={{major}}.{{minor}}'] }), backport, REPO, NOW, ['1.5.0']);
    expect(meta.tagNames).toEqual(['1.2.4', '1.2', 'latest']);
  });

  test('latest=highest with ref event=tag', () => {
    const meta = computeMeta(inputs({ flavor: ['latest=highest'] }), backport, REPO, NOW, ['v1.3.0']);
    expect(meta.tagNames).toEqual(['v1.2.4']);
  });

  test('prSha=head: sha tags, {{sha}} and revision use the PR head', () => {
    const meta = computeMeta(inputs({ tags: ['type=sha', 'type=raw,value=x-{{sha}}'], prSha: 'head' }), FIXTURES.pull_request, REPO, NOW);
    expect(meta.tagNames).toEqual([`x-${SHA_PR_HEAD.slice(0, 7)}`, `sha-${SHA_PR_HEAD.slice(0, 7)}`]);
    expect(meta.json.labels['org.opencontainers.image.revision']).toBe(SHA_PR_HEAD);
  });

  test('type=sha,pr=head: only that rule uses the PR head; merge default elsewhere', () => {
    const meta = computeMeta(inputs({ tags: ['type=sha,pr=head', 'type=sha,prefix=m-'] }), FIXTURES.pull_request, REPO, NOW);
    expect(meta.tagNames).toEqual([`sha-${SHA_PR_HEAD.slice(0, 7)}`, `m-${SHA_PR.slice(0, 7)}`]);
    expect(meta.json.labels['org.opencontainers.image.revision']).toBe(SHA_PR);
    const onPush = computeMeta(inputs({ tags: ['type=sha,pr=head'], prSha: 'head' }), FIXTURES.push_dev, REPO, NOW);
    expect(onPush.tagNames).toEqual(['sha-860c190']);
  });
});

describe('errors name the input and line', () => {
  test.each([
    [['type=ref,event=branch', 'type=foo'], /Input 'tags': line 2 "type=foo": unknown tag type "foo"/],
    [['type=semver'], /line 1 "type=semver": type=semver needs a pattern/],
    [['type=pep440,value=1.0'], /type=pep440 needs a pattern/],
    [['type=match'], /type=match needs a pattern/],
    [['type=match,pattern=x,group=a'], /invalid match group/],
    [['type=ref'], /needs an event/],
    [['type=ref,event=push'], /invalid event "push"/],
    [['type=raw'], /type=raw needs a value/],
    [['type=sha,format=medium'], /invalid format/],
    [['type=sha,pr=base'], /invalid pr/],
    [['type=raw,value=a,priority=high'], /invalid priority "high"/],
    [['type=semver,pattern={{major}},floating=lowest'], /invalid floating/],
    [['type=raw,value="a"'], /invalid opening quote/],
    [['type=raw,"value=a'], /quote not closed/],
  ])('parseTagRules %j', (lines, message) => {
    expect(() => parseTagRules(lines)).toThrow(InputError);
    expect(() => parseTagRules(lines)).toThrow(message);
  });

  test.each([
    [['latest=maybe'], /Input 'flavor': line 1 "latest=maybe": invalid latest "maybe"/],
    [['prefix=a,onlatest=yes'], /invalid onlatest/],
    [['latest'], /not key=value/],
    [['color=blue'], /unknown flavor "color"/],
    [['created=yesterday'], /invalid created/],
  ])('parseFlavor %j', (lines, message) => {
    expect(() => parseFlavor(lines)).toThrow(message);
  });

  test('enable must evaluate to true or false', () => {
    expect(() => computeMeta(inputs({ tags: ['type=raw,value=a', 'type=raw,value=b,enable={{branch}}'] }), FIXTURES.push_dev, REPO, NOW)).toThrow(
      /Input 'tags': line 2 "type=raw,value=b,enable=\{\{branch\}\}": enable must be true or false after expression evaluation, got "dev"/,
    );
  });

  test('template and regex errors', () => {
    expect(() => computeMeta(inputs({ tags: ["type=raw,value={{date 'YYYY' zone='UTC'}}"] }), FIXTURES.push_dev, REPO, NOW)).toThrow(/unknown zone attribute/);
    expect(() => computeMeta(inputs({ tags: ['type=raw,value={{#if branch}}x{{/if}}'] }), FIXTURES.push_dev, REPO, NOW)).toThrow(/not supported/);
    expect(() => computeMeta(inputs({ tags: ['type=match,pattern=/(/'] }), FIXTURES['tag_v1.1.1'], REPO, NOW)).toThrow(/invalid regular expression/);
    expect(() => computeMeta(inputs({ images: ['name=a,color=red'] }), FIXTURES.push_dev, REPO, NOW)).toThrow(/Input 'images'/);
  });

  test('defaults and priorities', () => {
    const rules = parseTagRules(['type=sha', 'type=raw,value=x', 'type=edge', 'type=semver,pattern={{version}}', 'type=schedule', 'type=match,pattern=x', 'type=ref,event=tag']);
    expect(rules.map(r => `${r.type}:${r.priority}`)).toEqual(['schedule:1000', 'semver:900', 'match:800', 'edge:700', 'ref:600', 'raw:200', 'sha:100']);
    expect(parseTagRules([]).map(r => r.source)).toEqual(['type=schedule', 'type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr']);
    expect(parseTagRules(['type=sha'])[0].attrs).toMatchObject({ prefix: 'sha-', format: 'short', enable: 'true' });
  });
});
