import path from 'node:path/posix';
import { matchSource, type ContextFile } from '../builders/native/copy.js';
import { parseDockerConfig } from '../engine/docker-config.js';
import type { ContextSource } from './sources.js';

/**
 * Credentials a COPY would put into the image: the token actions/checkout persists in .git/config, a Docker config
 * with logins, an .npmrc with a token, a Maven settings.xml with a password. A pure function of the COPY sources,
 * the listed context (after the ignore file) and the small texts of the candidate files, so any reader can feed it.
 */

export interface Finding {
  /** The context file, relative to the context. */
  file: string;
  /** What it holds. */
  holds: string;
  /** The ignore line or setting that keeps it out. */
  fix: string;
  /** The first COPY/ADD that takes it. */
  by: ContextSource;
}

type Kind = 'git' | 'docker' | 'npm' | 'maven';

/** What kind of credential file a context path may be, by its name. Pure. */
export function candidateKind(file: string): Kind | undefined {
  // a submodule's config too: actions/checkout persists the token there as well
  if (/(^|\/)\.git\/(modules\/.+\/)?config$/.test(file)) return 'git';
  if (/(^|\/)\.docker\/config\.json$/.test(file)) return 'docker';
  if (/(^|\/)\.npmrc$/.test(file)) return 'npm';
  if (/(^|\/)settings\.xml$/.test(file)) return 'maven';
  return undefined;
}

/** A value that only names an environment variable (setup-java's `${env.X}`, setup-node's `${NODE_AUTH_TOKEN}`). Pure. */
const placeholder = (v: string): boolean => /^\$\{[^}]+\}$/.test(v.trim());

/** `[http "<url>"] extraheader = …` (or `[http]`), or a URL with a password in it. Pure. */
export function gitConfigSecret(text: string): string | undefined {
  let http = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    const section = /^\[\s*([A-Za-z0-9.-]+)/.exec(line);
    if (section) http = /^http(\.|$)/i.test(section[1]);
    if (http && /^extraheader\s*=\s*\S/i.test(line)) return 'an http extraheader (the token actions/checkout persists)';
    if (/^(url|pushurl)\s*=\s*\S+:\/\/[^/\s:@]+:[^/\s@]+@/i.test(line)) return 'a remote URL with a password in it';
  }
  return undefined;
}

/** The files a git config includes (`[include]` and `[includeIf …]` `path = …`), relative to `configFile`'s folder. Pure. */
export function gitIncludes(configFile: string, text: string): string[] {
  const out: string[] = [];
  let include = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*([A-Za-z]+)/.exec(line);
    if (section) include = /^include(if)?$/i.test(section[1]);
    const m = include ? /^path\s*=\s*"?([^"]+?)"?\s*$/i.exec(line) : null;
    if (m && !path.isAbsolute(m[1]) && !m[1].startsWith('~')) out.push(path.normalize(path.join(path.dirname(configFile), m[1])));
  }
  return out;
}

/** A Docker config's `auths` entry with a credential in it, as the one docker-config reader parses it. Pure. */
export function dockerConfigSecret(text: string): string | undefined {
  const found = [...parseDockerConfig(text, '').auths].find(([, auths]) => auths.some((a) => a.password || a.identityToken || a.registryToken));
  return found ? `a login for ${found[0]}` : undefined;
}

/** `_authToken`, `_auth` or `_password` with a value of its own (not `${NODE_AUTH_TOKEN}`). Pure. */
export function npmrcSecret(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:[^#;=]*:)?(_authToken|_auth|_password)\s*=\s*(.+?)\s*$/.exec(line);
    if (m && !placeholder(m[2])) return `an ${m[1]}`;
  }
  return undefined;
}

/** A `<password>` (or `<passphrase>`) with a value of its own (not `${env.X}`). Pure. */
export function mavenSettingsSecret(text: string): string | undefined {
  for (const m of text.matchAll(/<(password|passphrase)>\s*([^<]*?)\s*<\/\1>/g)) if (m[2] && !placeholder(m[2])) return `a <${m[1]}>`;
  return undefined;
}

const CHECKS: Record<Kind, (text: string) => string | undefined> = { git: gitConfigSecret, docker: dockerConfigSecret, npm: npmrcSecret, maven: mavenSettingsSecret };

function fixFor(kind: Kind, file: string): string {
  if (kind === 'git') {
    const gitDir = file.replace(/\/(modules\/.+\/)?config$/, '');
    return `add a \`${gitDir}\` line to .dockerignore, or set \`persist-credentials: false\` on actions/checkout`;
  }
  return `add a \`${kind === 'docker' ? path.dirname(file) : file}\` line to .dockerignore, or remove the file before this step`;
}

/** Every context file the sources take: a file matched, or everything under a folder matched. Pure. */
export function copiedFiles(sources: readonly ContextSource[], files: readonly ContextFile[]): Map<string, ContextSource> {
  const out = new Map<string, ContextSource>();
  for (const s of sources) {
    for (const m of matchSource(s.source, files)) {
      if (m.type === 'file' && !out.has(m.path)) out.set(m.path, s);
      if (m.type !== 'dir') continue;
      for (const f of files) if (f.type === 'file' && (m.path === '' || f.path.startsWith(`${m.path}/`)) && !out.has(f.path)) out.set(f.path, s);
    }
  }
  return out;
}

/**
 * The credentials the sources would copy. `texts` holds each candidate's text (and the files a git config includes),
 * or undefined when it could not be read, which counts as a finding: unchecked is not clean. Pure.
 */
export function findCredentials(sources: readonly ContextSource[], files: readonly ContextFile[], texts: ReadonlyMap<string, string | undefined>): Finding[] {
  const copied = copiedFiles(sources, files);
  const out: Finding[] = [];
  for (const [file, by] of copied) {
    const kind = candidateKind(file);
    if (!kind || !texts.has(file)) continue;
    const text = texts.get(file);
    const related = kind === 'git' && text !== undefined ? gitIncludes(file, text).filter((f) => copied.has(f) && texts.has(f)) : [];
    const holds = text === undefined ? 'something this action could not read to check' : (CHECKS[kind](text) ?? related.map((f) => (texts.get(f) === undefined ? undefined : gitConfigSecret(texts.get(f)!))).find(Boolean));
    if (holds) out.push({ file, holds, fix: fixFor(kind, file), by });
  }
  return out;
}

/** The candidates to read for findCredentials: credential files the sources copy, by name. Pure. */
export function credentialCandidates(sources: readonly ContextSource[], files: readonly ContextFile[]): string[] {
  return [...copiedFiles(sources, files).keys()].filter((f) => candidateKind(f) !== undefined);
}
