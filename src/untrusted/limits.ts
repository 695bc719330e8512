/**
 * How much of what the repository, its build and the registries hand us is read. Each of these is data a pull request
 * or a registry controls, so each read stops at a cap instead of taking what it is given; the README's "Limits"
 * section lists them. One table, so a cap is changed in one place.
 */
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const LIMITS = {
  /** The Dockerfile (`file`). */
  dockerfileBytes: 1 * MiB,
  /** .dockerignore (or the Dockerfile's own ignore file). */
  ignoreFileBytes: 1 * MiB,
  /** Each build file hashed for the dependency cache key or read to plan the build (pom.xml, build.gradle…). */
  buildFileBytes: 4 * MiB,
  /** All the build files of one dependency cache key together. */
  buildFilesTotalBytes: 32 * MiB,
  /** Small settings the build tool reads too (.mvn/maven.config, a wrapper's properties). */
  settingsFileBytes: 64 * KiB,
  /** The work tree hashed for the jar cache key: beyond these, no jar cache (with a notice), not a slow key. */
  tree: {
    /** Index entries plus changed files. */
    files: 50_000,
    /** Bytes of modified and untracked files read to hash them (tracked files cost nothing: the index has their ids). */
    changedBytes: 100 * MiB,
  },
  /** A file of the build context read to look for a credential (.git/config, .npmrc…). */
  credentialFileBytes: 1 * MiB,
  /** The jar cache's own note of where the jar belongs, and the native builder's layer-digest file. */
  cacheNoteBytes: 64 * KiB,
  /** A file of the build context put into a native layer, and the jar read for the SBOM. */
  contextFileBytes: 1 * GiB,
  /** A manifest or an index from a registry. */
  manifestBytes: 4 * MiB,
  /** A config or other JSON blob, held in memory (layers are streamed to disk instead). */
  jsonBlobBytes: 4 * MiB,
  zip: {
    /** Entries of one archive (a nested jar counts on its own). */
    entries: 100_000,
    /** Bytes inflated from one jar and the jars nested in it, together. */
    totalBytes: 1 * GiB,
    /** Uncompressed to compressed, per entry beyond the grace and over the whole archive. */
    ratio: 100,
    /** Below this an entry may compress as well as it likes (a file of zeros is no bomb at this size). */
    ratioGraceBytes: 1 * MiB,
  },
} as const;

/** A byte count the way the limits are written: 1 MiB, 64 KiB, 1 GiB. Pure. */
export function bytesText(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`;
  return `${n} bytes`;
}
