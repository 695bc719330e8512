import path from 'node:path';
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs/inputs.js';
import { readRegular, RefusedFileError } from '../untrusted/file.js';
import { bytesText, LIMITS } from '../untrusted/limits.js';
import { readModel, type Dockerfile } from './model.js';
import { DockerfileSyntaxError } from './parse.js';

/**
 * The Dockerfile's text, read once for every reader: a regular file (never a FIFO or a link to a device) of at most
 * LIMITS.dockerfileBytes, inside the workspace unless `allow-outside-workspace` (or a dry run, which only warns) says
 * otherwise.
 */
export function readDockerfileText(inputs: Pick<Inputs, 'file' | 'allowOutsideWorkspace' | 'dryRun'>, workspace: string): string {
  const outsideOk = inputs.allowOutsideWorkspace || inputs.dryRun;
  try {
    return readRegular(inputs.file, { cap: LIMITS.dockerfileBytes, root: outsideOk ? undefined : workspace, name: path.relative(workspace, inputs.file) }).toString('utf8');
  } catch (e) {
    if (!(e instanceof RefusedFileError)) throw e;
    throw new InputError('file', `${e.message}; point \`file\` at a regular Dockerfile of at most ${bytesText(LIMITS.dockerfileBytes)} in the workspace.`);
  }
}

/** The Dockerfile read and parsed once for the whole run (an empty model when there is none); a syntax error names `file`. */
export function readDockerfileModel(inputs: Pick<Inputs, 'file' | 'allowOutsideWorkspace' | 'dryRun' | 'buildArgs'>, workspace: string, exists: boolean): Dockerfile {
  const text = exists ? readDockerfileText(inputs, workspace) : '';
  try {
    return readModel(text, new Map(inputs.buildArgs));
  } catch (e) {
    if (!(e instanceof DockerfileSyntaxError)) throw e;
    throw new InputError('file', `${e.message}, so BuildKit would refuse it too; fix ${path.relative(workspace, inputs.file)}.`);
  }
}
