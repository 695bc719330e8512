import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import type { Inputs } from '../../inputs/inputs.js';
import type { BuildSpec } from './args.js';

/** JAR_FILE as the Dockerfile's COPY sees it: relative to the context, with forward slashes. Pure. */
export function jarBuildArg(context: string, jar: string, input: 'artifact' | 'context' = 'context'): string {
  const rel = path.relative(context, jar);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    const fix = input === 'artifact' ? 'point `artifact` at a jar inside the context, or widen `context`' : 'set `context` to a folder that contains the build output';
    throw new InputError(input, `the jar ${jar} lies outside the build context ${context}; ${fix}.`);
  }
  return rel.split(path.sep).join('/');
}

/** Everything the build step needs, in one value; the jar goes in as JAR_FILE when given. */
export interface SpecParts {
  tags: string[];
  labels: string[];
  jar?: string;
  cacheArgs: string[];
  sourceDateEpoch?: number;
  /** A named buildx builder, and the --output of one that pushes by itself (see BuildSpec). */
  builder?: string;
  output?: string;
  baseArgs?: string[];
}

export function buildSpec(inputs: Inputs, parts: SpecParts, runnerTemp: string): BuildSpec {
  const { tags, labels, jar } = parts;
  mkdirSync(runnerTemp, { recursive: true });
  const dir = mkdtempSync(path.join(runnerTemp, 'image-publish-build-'));
  return {
    context: inputs.context,
    file: inputs.file,
    tags,
    labels,
    buildArgs: jar ? [...inputs.buildArgs, ['JAR_FILE', jarBuildArg(inputs.context, jar, inputs.artifact ? 'artifact' : 'context')]] : inputs.buildArgs,
    target: inputs.target,
    platforms: inputs.platforms,
    secrets: inputs.secrets,
    metadataFile: path.join(dir, 'metadata.json'),
    iidFile: path.join(dir, 'iid'),
    cacheArgs: parts.cacheArgs,
    provenance: inputs.provenance,
    network: inputs.network,
    sourceDateEpoch: parts.sourceDateEpoch,
    builder: parts.builder,
    output: parts.output,
    baseArgs: parts.baseArgs,
  };
}
