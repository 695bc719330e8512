import path from 'node:path';
import { errorMessage, InputError } from '../errors.js';
import { listContext, openContext, type BuildContext } from '../dockerfile/context.js';
import { candidateKind, credentialCandidates, findCredentials, gitIncludes, type Finding } from '../dockerfile/credentials.js';
import { contextSources } from '../dockerfile/sources.js';
import type { Parsed } from '../dockerfile/parse.js';
import { readRegular } from '../untrusted/file.js';
import { LIMITS } from '../untrusted/limits.js';
import type { Inputs } from './inputs.js';

/** A candidate's text, or undefined when it is not a small regular file in the context (then it counts as unchecked). */
function readCandidate(context: string, rel: string): string | undefined {
  try {
    return readRegular(path.join(context, rel), { cap: LIMITS.credentialFileBytes, root: context, name: rel }).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * The credentials the Dockerfile's COPY/ADD sources would take from the context, after the ignore file, whichever
 * builder runs: the sources from the Dockerfile (every stage, build args expanded; JAR_FILE, the jar, comes later),
 * the context as the native builder lists it, and only the candidate files read, each at most a small size.
 */
export function contextCredentials(context: BuildContext, df: Parsed, buildArgs: ReadonlyMap<string, string>, later: readonly string[]): Finding[] {
  const sources = contextSources(df, buildArgs, later);
  if (!sources.length) return [];
  const files = listContext(context, sources.map((s) => s.source));
  const texts = new Map<string, string | undefined>();
  for (const c of credentialCandidates(sources, files)) {
    const text = readCandidate(context.dir, c);
    texts.set(c, text);
    if (candidateKind(c) !== 'git' || text === undefined) continue;
    for (const inc of gitIncludes(c, text)) if (files.some((f) => f.path === inc && f.type === 'file')) texts.set(inc, readCandidate(context.dir, inc));
  }
  return findCredentials(sources, files, texts);
}

/**
 * Before any side effect: the ignore file must be one this action and buildx can read (a regular file of at most
 * LIMITS.ignoreFileBytes, with patterns BuildKit takes), and no COPY/ADD may put a credential into the image unless
 * allow-credentials-in-context says so (then each is a warning).
 */
export function checkContext(inputs: Pick<Inputs, 'context' | 'file' | 'buildArgs' | 'allowCredentialsInContext'>, df: Parsed, wantsJar: boolean, warn: (m: string) => void): void {
  let context: BuildContext;
  try {
    context = openContext(inputs.context, inputs.file);
  } catch (e) {
    throw new InputError('context', errorMessage(e));
  }
  const findings = contextCredentials(context, df, new Map(inputs.buildArgs), wantsJar ? ['JAR_FILE'] : []);
  const say = (f: Finding): string => `${f.by.instruction} (Dockerfile line ${f.by.line}) would put ${f.file} of the build context into the image, and it holds ${f.holds}; ${f.fix}`;
  if (!findings.length) return;
  if (inputs.allowCredentialsInContext) {
    for (const f of findings) warn(`${say(f)}. allow-credentials-in-context is true, so the build goes on and the image holds it.`);
    return;
  }
  throw new InputError('context', `${findings.map(say).join('. ')}. Or set \`allow-credentials-in-context: true\` if the image is meant to hold ${findings.length > 1 ? 'them' : 'it'}.`);
}
