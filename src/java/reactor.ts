import { readBuildFileIfAny } from './files.js';
import path from 'node:path';

/** A Maven module built from its reactor: Maven runs in `root` with `--projects module --also-make`. */
export interface Reactor {
  /** Absolute: the outermost aggregator pom's directory. */
  root: string;
  /** The module's path from root, with forward slashes ('app', 'services/app'). */
  module: string;
}

/** The <module> entries of a pom, outside comments. Pure. */
export function pomModules(pom: string): string[] {
  const text = pom.replace(/<!--[\s\S]*?-->/g, '');
  return [...text.matchAll(/<module>\s*([^<]*?)\s*<\/module>/g)].map((m) => m[1]).filter((m) => m !== '');
}

/** Whether java-args already choose what Maven builds (-f, -pl, -rf), so the reactor is left to the user. Pure. */
export function choosesProjects(javaArgs: readonly string[]): boolean {
  // exact words only: -fae, -ff and -fn are other options
  return javaArgs.some((a) => /^(-f|--file|-pl|--projects|-rf|--resume-from)(=.*)?$/.test(a));
}

/**
 * The reactor a Maven project in `dir` is a module of, if any: walks up to `top` (inclusive), and each
 * ancestor whose pom lists the current directory as a module becomes the root. Building a module alone
 * fails when it depends on a sibling that is not installed; from the root with `-pl module -am` Maven
 * builds the siblings it needs first. `readPom` returns undefined where there is no pom.xml. Pure.
 */
export function findReactor(dir: string, top: string, readPom: (dir: string) => string | undefined): Reactor | undefined {
  const inside = (d: string): boolean => {
    const rel = path.relative(top, d);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  let root = dir;
  for (let up = dir; up !== top && up !== path.dirname(up); ) {
    up = path.dirname(up);
    if (!inside(up)) break;
    const pom = readPom(up);
    if (pom === undefined) continue;
    if (!pomModules(pom).some((m) => path.resolve(up, m) === root)) break;
    root = up;
  }
  return root === dir ? undefined : { root, module: path.relative(root, dir).split(path.sep).join('/') };
}

/** findReactor over the file system. */
export function reactorOnDisk(dir: string, top: string): Reactor | undefined {
  return findReactor(dir, top, (d) => {
    return readBuildFileIfAny(path.join(d, 'pom.xml'), top);
  });
}

/**
 * Whether a pom builds a test-jar (the jar plugin's `test-jar` goal) or takes one (`<type>test-jar</type>`, or the
 * `tests` classifier): then the reactor must compile test classes. Comments do not count. Pure.
 */
export function usesTestJar(pom: string): boolean {
  const text = pom.replace(/<!--[\s\S]*?-->/g, '');
  return /<goal>\s*test-jar\s*<\/goal>|<type>\s*test-jar\s*<\/type>|<classifier>\s*tests\s*<\/classifier>/.test(text);
}

/** The poms of the build in `dir`: its own and, recursively, its modules' (each once; a missing one is skipped). */
export function reactorPoms(dir: string, readPom: (dir: string) => string | undefined): string[] {
  const seen = new Set<string>();
  const poms: string[] = [];
  const walk = (d: string): void => {
    if (seen.has(d)) return;
    seen.add(d);
    const pom = readPom(d);
    if (pom === undefined) return;
    poms.push(pom);
    for (const m of pomModules(pom)) walk(path.resolve(d, m));
  };
  walk(dir);
  return poms;
}
