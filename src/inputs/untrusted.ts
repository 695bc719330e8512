import type { Parsed } from '../dockerfile/parse.js';
import { InputError } from '../errors.js';

/** What of the checked-out code this run would execute. */
export interface RepoCode {
  /** The Java build command (a wrapper, the build tool and its plugins), when there is one. */
  javaBuild?: string;
  /** The parsed Dockerfile (undefined when there is none). */
  dockerfile?: Parsed;
}

/**
 * The repository code a run would execute: the Java build, a Dockerfile's RUN steps, and a `# syntax=` frontend
 * the Dockerfile names (BuildKit runs that image). COPY, ADD, ENV and the rest run nothing. Pure.
 */
export function codeThatRuns(code: RepoCode): string[] {
  const parsed = code.dockerfile;
  const runs = (parsed?.instructions ?? []).filter((i) => i.keyword === 'RUN');
  return [
    ...(code.javaBuild ? [`the Java build (${code.javaBuild})`] : []),
    ...(runs.length ? [`the Dockerfile's RUN step${runs.length > 1 ? 's' : ''} (line ${runs.map((r) => r.line).join(', ')})`] : []),
    ...(parsed?.syntax ? [`the Dockerfile frontend ${parsed.syntax} (its # syntax= line)`] : []),
  ];
}

/**
 * pull_request_target runs with the base repository's secrets and cache scope. A checkout of another commit (a
 * pull request's head) is code nobody reviewed: none of it may run, unless the workflow says it trusts it.
 * Throws InputError before any side effect. Pure.
 */
export function checkUntrustedCode(untrusted: string | undefined, code: RepoCode): void {
  if (!untrusted) return;
  const runs = codeThatRuns(code);
  if (!runs.length) return;
  throw new InputError(
    'allow-untrusted-checkout',
    `pull_request_target: ${untrusted}, and this run would execute that code: ${runs.join('; ')}. ` +
      'This event runs with the base repository\'s secrets and its cache scope (the runtime token could write the default branch\'s caches), so nothing was run. ' +
      'Build pull requests on the pull_request event, which gives a fork no secrets (GitHub Security Lab\'s advice on "pwn requests": never build an untrusted checkout on pull_request_target); ' +
      'or, only for code you trust, set `allow-untrusted-checkout: true`.',
  );
}
