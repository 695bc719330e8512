/** Shared types of the metadata-action compatible tag/label computation. */

/** The workflow run, injected: never read from process.env or @actions/github. */
export interface MetaContext {
  eventName: string;
  ref: string;
  sha: string;
  /** The webhook event payload. */
  payload: Record<string, unknown>;
  /** Falls back to payload.repository.default_branch. */
  defaultBranch?: string;
  /** Head commit time, for {{commit_date}} and the `created` label; derived from the payload when absent. */
  commitDate?: Date;
  runNumber?: number;
  runId?: number;
}

export interface RepoInfo {
  name?: string;
  fullName?: string;
  description?: string;
  htmlUrl?: string;
  /** SPDX id */
  license?: string;
  defaultBranch?: string;
}

export interface MetaInputs {
  images: string[];
  tags: string[];
  flavor: string[];
  labels: string[];
  annotations: string[];
  sepTags?: string;
  sepLabels?: string;
  sepAnnotations?: string;
  /** `head`: on pull_request events use the PR head sha everywhere (DOCKER_METADATA_PR_HEAD_SHA=true). */
  prSha?: 'head' | 'merge';
  /** DOCKER_METADATA_SHORT_SHA_LENGTH (default 7). */
  shortShaLength?: number;
  /** DOCKER_METADATA_ANNOTATIONS_LEVELS (default ['manifest']). */
  annotationLevels?: string[];
}

export interface Version {
  main?: string;
  partial: string[];
  latest: boolean;
}

export interface Meta {
  version: Version;
  /** Full refs image:tag (bare tag names when no image is given). */
  tags: string[];
  /** Tag names without image (`tag-names` output). */
  tagNames: string[];
  /** key=value, sorted by key. */
  labels: string[];
  /** level:key=value */
  annotations: string[];
  json: { tags: string[]; labels: Record<string, string>; annotations: string[] };
  /** Outputs joined with the separators (default newline). */
  outputs: { version: string; tags: string; tagNames: string; labels: string; annotations: string; json: string };
  /** What metadata-action would log as warnings (invalid semver, no match, …). */
  warnings: string[];
}

export const TAG_TYPES = ['schedule', 'semver', 'pep440', 'match', 'edge', 'ref', 'raw', 'sha'] as const;
export type TagType = (typeof TAG_TYPES)[number];

export interface TagRule {
  type: TagType;
  /** Lower-cased attribute names; defaults filled in as metadata-action does. */
  attrs: Record<string, string>;
  priority: number;
  /** 1-based index in the input lines, and the line itself, for error messages. */
  line: number;
  source: string;
}

export interface Flavor {
  latest: 'auto' | 'true' | 'false' | 'highest';
  prefix: string;
  prefixLatest: boolean;
  suffix: string;
  suffixLatest: boolean;
  /** Ours: `created` label from the commit time (default) or the wall clock. */
  created: 'commit' | 'now';
}
