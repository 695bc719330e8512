/** Pure readers of the registry protocol's headers and bodies: challenges, scopes, Link, Range, errors. */

export interface Challenge {
  /** Lower-cased: 'bearer' or 'basic' (others are kept, and refused later). */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/**
 * Every challenge of a WWW-Authenticate header (RFC 9110 §11.6.1): several challenges, comma-separated
 * parameters, quoted strings with backslash escapes. `Bearer realm="a,b",scope="x" , Basic realm="r"`
 * gives two challenges. Pure.
 */
export function parseChallenges(header: string): Challenge[] {
  const s = header;
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < s.length && chars.test(s[i])) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  const quoted = (): string => {
    let out = '';
    for (i++; i < s.length && s[i] !== '"'; i++) out += s[i] === '\\' && i + 1 < s.length ? s[++i] : s[i];
    i++;
    return out;
  };
  const out: Challenge[] = [];
  for (;;) {
    skip(/[\s,]/);
    const scheme = token();
    if (!scheme) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      const mark = i;
      skip(/[\s,]/);
      const name = token();
      skip(/[ \t]/);
      if (!name || s[i] !== '=') {
        i = mark; // the next challenge's scheme (or nothing more)
        break;
      }
      i++;
      skip(/[ \t]/);
      const start = i;
      if (s[i] === '"') challenge.params[name.toLowerCase()] = quoted();
      else {
        while (i < s.length && !/[\s,]/.test(s[i])) i++;
        challenge.params[name.toLowerCase()] = s.slice(start, i);
      }
    }
  }
  return out;
}

/** The challenge to answer: Bearer when the registry offers it, else Basic, else the first. Pure. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic') ?? challenges[0];
}

/** A token scope for a repository, actions sorted: `repository:team/app:pull,push`. Pure. */
export function repositoryScope(repo: string, actions: readonly string[]): string {
  return `repository:${repo}:${[...new Set(actions)].sort().join(',')}`;
}

/**
 * One scope per resource, with the union of its actions, in a stable order, so that equal needs share
 * one cached token: `repository:a:pull` + `repository:a:push` = `repository:a:pull,push`. Pure.
 */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    const cut = scope.lastIndexOf(':');
    if (cut <= 0) continue;
    const resource = scope.slice(0, cut);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const a of scope.slice(cut + 1).split(',')) if (a) actions.add(a);
    byResource.set(resource, actions);
  }
  return [...byResource.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([r, a]) => `${r}:${[...a].sort().join(',')}`);
}

/** Loopback hosts (127.0.0.0/8, ::1, localhost), with or without a port or brackets. Pure. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort
    .toLowerCase()
    .replace(/^\[([^\]]+)\](?::\d+)?$/, '$1')
    .replace(/^([^:]+):\d+$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether credentials may go to a token realm: on the registry's own origin, over https, or to a
 * loopback host; never over plain http to another host (issue 13). Pure.
 */
export function realmAllowed(realm: URL, registryOrigin: string): boolean {
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') return false;
  return realm.origin === registryOrigin || realm.protocol === 'https:' || isLoopbackHost(realm.host);
}

/**
 * The next page of a `Link: <…>; rel="next"` header, resolved against the request's URL; undefined when
 * there is none. Throws when it points at another origin: credentials never follow it (issue 13). Pure.
 */
export function nextLink(header: string | undefined, requestUrl: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (!m || !/(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(m[2])) continue;
    const next = new URL(m[1], requestUrl);
    if (next.origin !== new URL(requestUrl).origin) throw new Error(`the registry's Link header points to another origin (${next.origin}); it is not followed`);
    return next.toString();
  }
  return undefined;
}

/**
 * The offset to resume an upload at, from a `Range: 0-<last>` header (also `bytes=0-<last>`). `0-0` is
 * ambiguous in distribution (nothing or one byte): it means start again at 0. Undefined when unreadable. Pure.
 */
export function resumeOffset(header: string | undefined): number | undefined {
  const m = /^\s*(?:bytes[= ])?\s*0-(-?\d+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const last = Number(m[1]);
  return last <= 0 ? 0 : last + 1;
}

export interface RegistryErrorDetail {
  code: string;
  message: string;
}

/** The `errors[]` of a registry's JSON error body (empty when it is not one). Pure. */
export function errorDetails(body: Buffer | string): RegistryErrorDetail[] {
  try {
    const doc = JSON.parse(body.toString()) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is { code: unknown; message?: unknown } => !!e && typeof e === 'object')
      .map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: typeof e.message === 'string' ? e.message : '' }));
  } catch {
    return [];
  }
}
