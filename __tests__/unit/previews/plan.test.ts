import { describe, expect, it } from 'vitest';
import { attachedSubject, removalPlan, type ManifestNode, type RepoSnapshot } from '../../../src/previews/plan.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';
const IMAGE = 'application/vnd.oci.image.manifest.v1+json';

function snapshot(tags: Record<string, string>, nodes: Record<string, string[]> = {}, referrers: Record<string, string[]> = {}): RepoSnapshot {
  return {
    tags: new Map(Object.entries(tags)),
    nodes: new Map(Object.entries(nodes).map(([k, children]): [string, ManifestNode] => [k, { mediaType: children.length ? INDEX : IMAGE, children }])),
    referrers: new Map(Object.entries(referrers)),
  };
}

describe('attachedSubject', () => {
  it.each([
    [`sha256-${'a'.repeat(64)}.sig`, d('a')],
    [`sha256-${'a'.repeat(64)}.att`, d('a')],
    [`sha256-${'a'.repeat(64)}`, d('a')],
    ['pr-42', undefined],
    [`sha256-${'a'.repeat(63)}.sig`, undefined],
  ])('%s → %s', (tag, subject) => expect(attachedSubject(tag)).toBe(subject));
});

describe('removalPlan', () => {
  it('deletes an index, its platform and attestation children, then its signature, parents first', () => {
    const s = snapshot({ 'pr-1': d('1'), 'sha-abc': d('1'), [`sha256-${'1'.repeat(64)}.sig`]: d('9') }, { [d('1')]: [d('2'), d('3'), d('4')] });
    const plan = removalPlan(s, ['pr-1', 'sha-abc', 'sha-zzz']);
    expect(plan.tags).toEqual(['pr-1', 'sha-abc', `sha256-${'1'.repeat(64)}.sig`]);
    expect(plan.manifests).toEqual([d('1'), d('2'), d('3'), d('4'), d('9')]);
    expect(plan.untag).toEqual([]);
    expect(plan.kept).toEqual([]);
  });

  it('keeps a manifest another tag names: only the preview tag goes', () => {
    const s = snapshot({ 'pr-1': d('1'), main: d('1'), [`sha256-${'1'.repeat(64)}.sig`]: d('9') });
    const plan = removalPlan(s, ['pr-1']);
    expect(plan).toEqual({ tags: ['pr-1'], untag: ['pr-1'], manifests: [], kept: [d('1')] });
  });

  it('keeps a child a surviving index still names, and the referrers of what goes go too', () => {
    const s = snapshot({ 'pr-1': d('1'), 'v1.0': d('5') }, { [d('1')]: [d('2'), d('3')], [d('5')]: [d('3'), d('6')] }, { [d('2')]: [d('7')] });
    const plan = removalPlan(s, ['pr-1']);
    expect(plan.manifests).toEqual([d('1'), d('2'), d('7')]);
    expect(plan.manifests).not.toContain(d('3'));
  });

  it('removes the referrers tag schema index of a deleted manifest, with what it lists', () => {
    const s = snapshot({ 'pr-1': d('1'), [`sha256-${'1'.repeat(64)}`]: d('8') }, { [d('8')]: [d('7')] });
    const plan = removalPlan(s, ['pr-1']);
    expect(plan.tags).toEqual(['pr-1', `sha256-${'1'.repeat(64)}`]);
    expect(plan.manifests).toEqual([d('1'), d('8'), d('7')]);
  });

  it('a preview tag the repository does not have, or an attached tag given as a preview tag, is left alone', () => {
    const s = snapshot({ main: d('1'), [`sha256-${'1'.repeat(64)}.sig`]: d('9') });
    expect(removalPlan(s, ['pr-1', `sha256-${'1'.repeat(64)}.sig`])).toEqual({ tags: [], untag: [], manifests: [], kept: [] });
  });

  it('two previews of one digest, both going: the digest goes once', () => {
    const s = snapshot({ 'pr-1': d('1'), 'pr-2': d('1'), 'pr-3': d('2') });
    const plan = removalPlan(s, ['pr-1', 'pr-2']);
    expect(plan.manifests).toEqual([d('1')]);
    expect(plan.tags).toEqual(['pr-1', 'pr-2']);
  });
});
