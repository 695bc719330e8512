/**
 * Whether trying again can help, decided in one place for every caller: a registry's answer (status and error
 * codes), a network error code, or a tool's error line. `auth` (401/403, denied) is never retried, `fatal` cannot
 * change by asking again, `transient` may. Pure.
 */
import { dockerError } from '../engine/docker-error.js';

export type FailureKind = 'auth' | 'transient' | 'fatal';

const AUTH_CODES = new Set(['UNAUTHORIZED', 'DENIED']);
const FATAL_CODES = new Set(['NAME_UNKNOWN', 'NAME_INVALID', 'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN', 'DIGEST_INVALID', 'BLOB_UNKNOWN', 'SIZE_INVALID', 'TAG_INVALID', 'UNSUPPORTED']);

/** An HTTP answer (with a registry's JSON error codes, if any): 429, 408 and 5xx can change; 401/403/denied never. Pure. */
export function classifyStatus(status: number, codes: readonly string[] = []): FailureKind {
  if (status === 401 || status === 403 || codes.some((c) => AUTH_CODES.has(c))) return 'auth';
  if (codes.some((c) => FATAL_CODES.has(c))) return 'fatal';
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  return 'fatal';
}

const TRANSIENT_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'STALL',
  'TIMEOUT',
  'TLS_HANDSHAKE_TIMEOUT',
  'EOF',
]);

/** A network error code (Node's, or STALL/TIMEOUT/EOF of our own watchdogs). Pure. */
export function classifyNetwork(code: string): FailureKind {
  return TRANSIENT_NETWORK.has(code) ? 'transient' : 'fatal';
}

/** Refusals: trying again with the same credentials cannot help, and must not hammer the registry. */
const AUTH = [/\b401\b/, /\b403\b/, /unauthori[sz]ed/i, /denied/i, /incorrect username or password/i, /authentication required/i, /forbidden/i, /no basic auth credentials/i, /name unknown/i];
/** Answers about the content or the name, and a port fetch never connects to (`bad port`): the same request gets the same answer. */
const FATAL = [/\bbad port\b/i, /manifest (invalid|unknown|blob unknown)/i, /digest (invalid|did not match|mismatch)/i, /did not match (the )?(expected|uploaded) (digest|content)/i, /blob unknown/i, /size invalid/i, /x509|certificate/i];
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

/** One error message in words (a tool's, or a fetch's): refusals win, then content errors. Pure. */
export function classifyMessage(message: string): FailureKind {
  if (AUTH.some((re) => re.test(message))) return 'auth';
  if (FATAL.some((re) => re.test(message))) return 'fatal';
  if (TRANSIENT.some((re) => re.test(message))) return 'transient';
  return 'fatal';
}

/**
 * A tool's output, from its error line (docker's own words), never from a progress line such as
 * `Mounted from acme/app`. Pure.
 */
export function classifyFailure(output: string): FailureKind {
  return classifyMessage(dockerError(output) ?? output);
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), capped. Pure. */
export function retryAfter(header: string | undefined | null, now: number, capMs = 60 * 1000): number | undefined {
  if (!header) return undefined;
  const seconds = /^\s*(\d+)\s*$/.exec(header);
  const ms = seconds ? Number(seconds[1]) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), capMs) : undefined;
}

/** A `Retry-After: N` a tool printed in its output, in milliseconds. Pure. */
export function retryAfterInOutput(output: string): number | undefined {
  const m = /retry-after:?\s*(\d+)/i.exec(output);
  return m ? Number(m[1]) * 1000 : undefined;
}
