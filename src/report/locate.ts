import path from 'node:path';
import * as glob from '@actions/glob';
import type { Annotation } from '../errors.js';
import type { Problem } from './problems.js';

/**
 * Turns build-tool problems into annotations on workspace-relative paths. Absolute paths are made relative;
 * a bare test file name is looked up under the project (test sources first).
 */
export async function toAnnotations(problems: readonly Problem[], projectDir: string, workspace: string, title: string): Promise<Annotation[]> {
  const out: Annotation[] = [];
  for (const p of problems.slice(0, 50)) {
    let file: string | undefined = p.file;
    if (!path.isAbsolute(file)) {
      const globber = await glob.create(path.join(projectDir, '**', file), { matchDirectories: false });
      const found = (await globber.glob()).filter((f) => !/[\\/](target|build|node_modules)[\\/]/.test(path.relative(projectDir, f)));
      file = found.find((f) => /[\\/]src[\\/]test[\\/]/.test(f)) ?? found[0];
    }
    if (!file) continue;
    const rel = path.relative(workspace, file);
    if (rel.startsWith('..')) continue;
    out.push({ severity: p.severity, message: p.message, file: rel.split(path.sep).join('/'), line: p.line, column: p.column, title });
  }
  return out;
}
