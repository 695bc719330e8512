import { describe, expect, it } from 'vitest';
import type { RunnerContext } from '../../../src/context.js';
import { parseInputs } from '../../../src/inputs/inputs.js';
import { previewTags, pullRequestOfTag } from '../../../src/previews/tags.js';

const A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const B = 'ffffffeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
const now = new Date('2026-12-01T00:00:00Z');

function ctx(eventName = 'pull_request'): RunnerContext {
  const payload = { action: 'closed', number: 42, pull_request: { number: 42, head: { sha: B }, base: { ref: 'main' } }, repository: { default_branch: 'main' } };
  return { eventName, ref: 'refs/pull/42/merge', sha: 'c'.repeat(40), payload: eventName === 'schedule' ? {} : payload, repository: 'acme/app', actor: 'x', workspace: '/ws', runnerTemp: '/tmp', apiUrl: 'http://api', serverUrl: 'https://github.com' };
}

const inputs = (values: Record<string, string>) => parseInputs((n) => ({ images: 'acme/app', ...values })[n] ?? '', '/ws');

const previewTagNames = (...a: Parameters<typeof previewTags>): string[] => {
  const t = previewTags(...a);
  return [...t.pr, ...t.sha].sort();
};

describe('previewTags', () => {
  it('tells the pr tags from the sha tags, and the version label a preview run writes', () => {
    expect(previewTags(inputs({ 'pr-sha': 'head' }), {}, ctx(), { number: 42, shas: [A] }, now)).toEqual({ pr: ['pr-42'], sha: ['sha-a1b2c3d'], versions: ['pr-42'] });
  });

  it('a sha rule above the pr rule makes the version the sha tag', () => {
    const tags = 'type=sha,priority=700\ntype=ref,event=pr';
    expect(previewTags(inputs({ tags }), {}, ctx(), { number: 42, shas: [A] }, now).versions).toEqual(['pr-42', 'sha-a1b2c3d']);
  });

  it('the default rules with pr-sha: head: pr-N and sha-<commit> of every commit', () => {
    expect(previewTagNames(inputs({ 'pr-sha': 'head' }), {}, ctx(), { number: 42, shas: [A, B] }, now)).toEqual(['pr-42', 'sha-a1b2c3d', 'sha-ffffffe']);
  });

  it('the default rules alone name only pr-N (they have no sha rule)', () => {
    expect(previewTagNames(inputs({}), {}, ctx(), { number: 42, shas: [A] }, now)).toEqual(['pr-42']);
  });

  it('the user rules: only those that name a PR or a commit, with their prefixes, long format and flavor', () => {
    const tags = 'type=ref,event=pr,prefix=preview-\ntype=sha,format=long,prefix=\ntype=raw,value=latest\ntype=ref,event=branch';
    expect(previewTagNames(inputs({ tags, flavor: 'latest=true\nsuffix=-jvm' }), {}, ctx(), { number: 42, shas: [A] }, now)).toEqual([`${A}-jvm`, 'preview-42-jvm']);
  });

  it('no rule names a PR: nothing is looked for', () => {
    expect(previewTagNames(inputs({ tags: 'type=raw,value=edge' }), {}, ctx(), { number: 42, shas: [A] }, now)).toEqual([]);
  });

  it('a sweep on a schedule renders the same tags as the PR run did', () => {
    expect(previewTagNames(inputs({ 'pr-sha': 'head' }), {}, ctx('schedule'), { number: 7, shas: [A] }, now)).toEqual(['pr-7', 'sha-a1b2c3d']);
  });
});

describe('pullRequestOfTag', () => {
  it.each([
    ['pr-42', {}, 42],
    ['pr-7', {}, 7],
    ['pr-', {}, undefined],
    ['pr-07', {}, undefined],
    ['main', {}, undefined],
    ['sha-a1b2c3d', {}, undefined],
    ['preview-12-jvm', { tags: 'type=ref,event=pr,prefix=preview-', flavor: 'suffix=-jvm' }, 12],
    ['pr-12', { tags: 'type=ref,event=pr,prefix=preview-' }, undefined],
  ])('%s with %j → %s', (tag, values, n) => {
    expect(pullRequestOfTag(inputs(values), {}, ctx('schedule'), tag, now)).toBe(n);
  });
});
