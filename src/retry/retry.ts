import { dockerError } from '../engine/docker-error.js';

export type FailureKind = 'auth' | 'transient' | 'fatal';

/** Refusals: trying again with the same credentials cannot help, and must not hammer the registry. */
const AUTH = [/\b401\b/, /\b403\b/, /unauthori[sz]ed/i, /denied/i, /incorrect username or password/i, /authentication required/i, /forbidden/i, /no basic auth credentials/i, /name unknown/i];
/** Answers about the content or the name: the same request gets the same answer. */
const FATAL = [/manifest (invalid|unknown|blob unknown)/i, /digest (invalid|did not match|mismatch)/i, /did not match (the )?(expected|uploaded) (digest|content)/i, /blob unknown/i, /size invalid/i, /x509|certificate/i];
const TRANSIENT = [
  /\b5\d\d\b/,
  /\b429\b/,
  /too many requests/i,
  /toomanyrequests/i,
  /connection (reset|refused)/i,
  /use of closed network connection/i,
  /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT/,
  /i\/o timeout/i,
  /timed? ?out/i,
  /TLS handshake timeout/i,
  /\bEOF\b/,
  /service unavailable|bad gateway|internal server error|gateway time-?out/i,
  /broken pipe/i,
  /socket hang up|other side closed|fetch failed|\bterminated\b/i,
  /server misbehaving|temporary failure in name resolution/i,
];

/** Decides from one error message whether trying again can help. Refusals win, then content errors. Pure. */
export function classifyMessage(message: string): FailureKind {
  if (AUTH.some((re) => re.test(message))) return 'auth';
  if (FATAL.some((re) => re.test(message))) return 'fatal';
  if (TRANSIENT.some((re) => re.test(message))) return 'transient';
  return 'fatal';
}

/**
 * Decides from a tool's output whether trying again can help: from its error line (docker's own words), never
 * from a progress line such as `Mounted from acme/app`. Auth failures never are transient. Pure.
 */
export function classifyFailure(output: string): FailureKind {
  return classifyMessage(dockerError(output) ?? output);
}

/** Exponential backoff with full jitter, capped; `random` is injected for tests. */
export function backoffMs(attempt: number, random: () => number, baseMs = 2000, capMs = 15000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Seconds from a Retry-After header value, when the output carries one. */
export function retryAfterMs(output: string): number | undefined {
  const m = /retry-after:?\s*(\d+)/i.exec(output);
  return m ? Number(m[1]) * 1000 : undefined;
}

export interface RetryPolicy {
  retries: number;
  /** No new attempt starts after this much time has passed since the first. */
  totalMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Each retry, with the cause and what it is about (a registry host, `GitHub API`): logged and counted. */
  onRetry: (attempt: number, reason: string, waitMs: number, scope?: string) => void;
  /** What the calls are about, passed to onRetry: a registry host, or `GitHub API`. */
  scope?: string;
}

export interface Attempt {
  ok: boolean;
  output: string;
}

/** Runs `op` until it succeeds, fails for good, or the policy's bounds are reached. Returns the last attempt. */
export async function withRetry(op: () => Promise<Attempt>, policy: RetryPolicy): Promise<Attempt & { kind?: FailureKind; attempts: number }> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    const res = await op();
    if (res.ok) return { ...res, attempts: attempt + 1 };
    const kind = classifyFailure(res.output);
    const wait = Math.max(retryAfterMs(res.output) ?? 0, backoffMs(attempt, policy.random));
    if (kind !== 'transient' || attempt >= policy.retries || Date.now() - start + wait > policy.totalMs) {
      return { ...res, kind, attempts: attempt + 1 };
    }
    const reason = dockerError(res.output) ?? 'transient failure';
    policy.onRetry(attempt + 1, reason, wait, policy.scope);
    await policy.sleep(wait);
  }
}
