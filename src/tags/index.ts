/** docker/metadata-action v6 compatible tag, label and annotation computation (pure: all inputs injected). */
export { computeMeta } from './meta.js';
export { parseTagRules, DEFAULT_PRIORITIES, DEFAULT_TAG_LINES } from './rules.js';
export { parseFlavor } from './flavor.js';
export { parseImages } from './images.js';
export { sanitizeTag } from './version.js';
export { formatDate, labelledSha, payloadCommitDate } from './context.js';
export type { Flavor, Meta, MetaContext, MetaInputs, RepoInfo, TagRule, TagType, Version } from './types.js';
