import type { ImageName } from './name.js';

const HTTP_TIMEOUT_MS = 15 * 1000;

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header such as `Bearer realm="…",service="…",scope="…"`. Pure. */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = p[2] ?? p[3];
  return { scheme: m[1].toLowerCase(), params };
}

/** The registry's API host: Docker Hub's API is registry-1.docker.io. Pure. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** Loopback registries may speak plain HTTP, as the Docker engine allows for 127.0.0.0/8. Pure. */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export interface BasicAuth {
  username: string;
  password: string;
}

function basic(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** A registry pointed somewhere its credentials must not go: not retried over the other scheme. */
class PointedAway extends Error {}

/** Redirects are not followed: a registry's tag list and token answer directly, and a hop could carry credentials away. */
async function get(url: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
}

/**
 * The next page a `Link: <…>; rel="next"` header names, resolved against the page that sent it. Only the same
 * origin is followed: another host could answer with a challenge and collect the registry's credentials. Pure.
 */
export function nextPage(current: string, link: string | null): string | undefined {
  const m = /<([^>]+)>;\s*rel="?next"?/.exec(link ?? '');
  if (!m) return undefined;
  const next = new URL(m[1], current);
  const here = new URL(current);
  if (next.origin !== here.origin) throw new PointedAway(`the tag list's next page is on another origin (${next.origin}), which is not followed`);
  return next.toString();
}

/**
 * Whether a Bearer realm may get the registry's credentials: the registry's own origin, or another host over
 * https (Docker Hub's auth.docker.io), or a loopback host. Plain HTTP elsewhere would carry them in the clear. Pure.
 */
export function realmAllowed(registryUrl: string, realm: string): boolean {
  let r: URL;
  try {
    r = new URL(realm);
  } catch {
    return false;
  }
  if (r.origin === new URL(registryUrl).origin) return true;
  return r.protocol === 'https:' || (r.protocol === 'http:' && isLoopback(r.host));
}

async function authorized(url: string, auth: BasicAuth | undefined): Promise<Response> {
  const first = await get(url, {});
  if (first.status !== 401) return first;
  const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
  if (challenge?.scheme === 'basic') {
    if (!auth) return first;
    return get(url, { authorization: basic(auth) });
  }
  if (challenge?.scheme === 'bearer' && challenge.params.realm) {
    if (!realmAllowed(url, challenge.params.realm)) throw new PointedAway(`the token realm ${challenge.params.realm} is plain HTTP on another host; credentials are not sent there`);
    const tokenUrl = new URL(challenge.params.realm);
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    if (challenge.params.scope) tokenUrl.searchParams.set('scope', challenge.params.scope);
    const tokenRes = await get(tokenUrl.toString(), auth ? { authorization: basic(auth) } : {});
    if (!tokenRes.ok) throw new Error(`token endpoint answered HTTP ${tokenRes.status}`);
    const body = (await tokenRes.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error('token endpoint gave no token');
    return get(url, { authorization: `Bearer ${token}` });
  }
  return first;
}

/** Every tag the registry lists for an image (following Link pagination on the same origin); [] when the repository is new. */
export async function listTags(image: ImageName, auth: BasicAuth | undefined): Promise<string[]> {
  const host = apiHost(image.registry);
  const schemes = isLoopback(image.registry) ? ['http', 'https'] : ['https'];
  let lastError: unknown;
  for (const scheme of schemes) {
    try {
      const tags: string[] = [];
      let next: string | undefined = `${scheme}://${host}/v2/${image.repository}/tags/list?n=1000`;
      for (let page = 0; next && page < 50; page++) {
        const res = await authorized(next, auth);
        if (res.status === 404) return tags;
        if (!res.ok) throw new Error(`HTTP ${res.status} from ${host}`);
        const body = (await res.json()) as { tags?: string[] | null };
        tags.push(...(body.tags ?? []));
        next = nextPage(next, res.headers.get('link'));
      }
      return tags;
    } catch (e) {
      if (e instanceof PointedAway) throw e;
      lastError = e;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
