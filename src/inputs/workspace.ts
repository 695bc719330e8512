import path from 'node:path';
import { InputError } from '../errors.js';
import { isInside } from '../untrusted/paths.js';

/** The fixed folder a glob starts from: its path up to the first segment with a wildcard. Pure. */
export function globBase(pattern: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const s of segments) {
    if (/[*?[\]{}]/.test(s)) return fixed.join('/') || '.';
    fixed.push(s);
  }
  return fixed.slice(0, -1).join('/') || (pattern.startsWith('/') ? '/' : '.');
}

export interface PathInputs {
  workspace: string;
  workingDirectory: string;
  context: string;
  file: string;
  artifact: string;
  allowOutsideWorkspace: boolean;
}

/**
 * `file`, `context` and `artifact` must lie in the workspace, unless `allow-outside-workspace` says otherwise: build
 * code reads what these name, and a Dockerfile path such as ../../../etc/passwd makes BuildKit print the file.
 */
export function checkInWorkspace(p: PathInputs): void {
  if (p.allowOutsideWorkspace) return;
  const named: [string, string][] = [
    ['context', p.context],
    ['file', p.file],
  ];
  if (p.artifact) named.push(['artifact', path.resolve(p.workingDirectory, globBase(p.artifact))]);
  for (const [input, target] of named) {
    if (!isInside(p.workspace, target)) {
      throw new InputError(input, `"${target}" lies outside the workspace ${p.workspace}; name a path inside it, or set \`allow-outside-workspace: true\` if the workflow means it.`);
    }
  }
}

/** The jar goes in as JAR_FILE, so an `artifact` glob must pick it from inside the context; blamed on `artifact`, not `context`. */
export function checkArtifactInContext(p: Pick<PathInputs, 'workingDirectory' | 'context' | 'artifact'>): void {
  if (!p.artifact) return;
  const base = path.resolve(p.workingDirectory, globBase(p.artifact));
  if (!isInside(p.context, base)) {
    throw new InputError('artifact', `"${p.artifact}" points outside the build context ${p.context}, so the Dockerfile's COPY cannot see the jar; put the jar inside the context, or set \`context\` to a folder that holds it.`);
  }
}
