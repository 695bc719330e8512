import path from 'node:path';
import { InputError } from '../errors.js';
import { readOptional, readRegular, RefusedFileError, type ReadRule } from '../untrusted/file.js';
import { bytesText, LIMITS } from '../untrusted/limits.js';

/**
 * The project's build files (pom.xml, build.gradle, .mvn/maven.config, a wrapper's properties) are the repository's:
 * read as data, a regular file inside `root` of at most `cap` bytes, never through a link to a device or out of
 * the tree. A refusal names the file and the fix, blamed on working-directory.
 */
function asInputError(e: unknown, cap: number): unknown {
  if (!(e instanceof RefusedFileError)) return e;
  return new InputError('working-directory', `${e.message}; this action reads build files as data: make each a regular file of at most ${bytesText(cap)} inside the project, not a link out of it.`);
}

export function readBuildFile(file: string, root: string, cap: number = LIMITS.buildFileBytes): string {
  return readBytes(file, { root, cap, name: path.relative(root, file) || file }).toString('utf8');
}

/** readBuildFile, or undefined when there is no such file. */
export function readBuildFileIfAny(file: string, root: string, cap: number = LIMITS.buildFileBytes): string | undefined {
  try {
    return readOptional(file, { root, cap, name: path.relative(root, file) || file })?.toString('utf8');
  } catch (e) {
    throw asInputError(e, cap);
  }
}

/** A build file's bytes, as a cache key hashes them. */
export function readBytes(file: string, rule: ReadRule): Buffer {
  try {
    return readRegular(file, rule);
  } catch (e) {
    throw asInputError(e, rule.cap);
  }
}
