/** computeMeta: docker/metadata-action v6's outputs (version, tags, tag-names, labels, annotations, json) for a run. */
import { globalScope, resolveRun } from './context.js';
import { parseFlavor } from './flavor.js';
import { imageNames, parseImages } from './images.js';
import { ociLabels, toRecord, withCustoms } from './labels.js';
import { parseTagRules } from './rules.js';
import type { Flavor, Meta, MetaContext, MetaInputs, RepoInfo, Version } from './types.js';
import { computeVersion, sanitizeTag } from './version.js';

function tagNames(version: Version, flavor: Flavor): string[] {
  if (!version.main) return [];
  const names = [version.main, ...version.partial];
  if (version.latest) {
    names.push(sanitizeTag(`${flavor.prefixLatest ? flavor.prefix : ''}latest${flavor.suffixLatest ? flavor.suffix : ''}`));
  }
  return names;
}

/**
 * @param now the wall clock, for {{date}} (and the `created` label with flavor created=now)
 * @param publishedTags tags already in the registry, for latest=highest / floating=highest (undefined: behave as auto)
 */
export function computeMeta(inputs: MetaInputs, ctx: MetaContext, repo: RepoInfo, now: Date, publishedTags?: string[]): Meta {
  const warnings: string[] = [];
  const flavor = parseFlavor(inputs.flavor);
  const rules = parseTagRules(inputs.tags);
  const images = imageNames(parseImages(inputs.images));
  const run = resolveRun(ctx, repo, inputs, now);

  const version = computeVersion(rules, run, flavor, publishedTags, warnings);
  const names = tagNames(version, flavor);
  const tags = images.length > 0 ? images.flatMap(image => names.map(n => (image !== '' ? `${image}:${n}` : n))) : names;

  const scope = globalScope(run, m => warnings.push(m));
  const base = ociLabels({ repo, version: version.main, created: flavor.created === 'now' ? now : run.commitDate, revision: run.sha });
  const labels = withCustoms('labels', base, inputs.labels, scope);
  const rawAnnotations = withCustoms('annotations', base, inputs.annotations, scope);
  const levels = inputs.annotationLevels ?? ['manifest'];
  const annotations = levels.flatMap(level => rawAnnotations.map(a => `${level}:${a}`));

  if (!version.main) warnings.push('No Docker image version has been generated. Check tags input.');
  const json = { tags, labels: toRecord(labels), annotations };
  return {
    version,
    tags,
    tagNames: names,
    labels,
    annotations,
    json,
    outputs: {
      version: version.main ?? '',
      tags: tags.join(inputs.sepTags || '\n'),
      tagNames: names.join(inputs.sepTags || '\n'),
      labels: labels.join(inputs.sepLabels || '\n'),
      annotations: annotations.join(inputs.sepAnnotations || '\n'),
      json: JSON.stringify(json),
    },
    warnings,
  };
}
