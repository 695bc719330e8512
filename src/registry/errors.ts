import type { RegistryErrorDetail } from './headers.js';

/** auth: never retried; transient: retried within the policy; fatal: retrying cannot help. */
export type OciFailureKind = 'auth' | 'transient' | 'fatal';

/** A failed exchange with a registry. The message never holds a credential or a token. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly kind: OciFailureKind,
    /** The HTTP status, when the registry answered. */
    readonly status?: number,
    /** The registry's JSON error codes (`errors[].code`): BLOB_UNKNOWN, DENIED, NAME_UNKNOWN, … */
    readonly codes: readonly string[] = [],
    /** How long the registry asked us to wait (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

const AUTH_CODES = new Set(['UNAUTHORIZED', 'DENIED']);
const FATAL_CODES = new Set(['NAME_UNKNOWN', 'NAME_INVALID', 'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN', 'DIGEST_INVALID', 'BLOB_UNKNOWN', 'SIZE_INVALID', 'TAG_INVALID', 'UNSUPPORTED']);

/** Whether a registry's answer can change by asking again. 429 and 5xx can; 401/403/denied never. Pure. */
export function classifyStatus(status: number, codes: readonly string[]): OciFailureKind {
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

/** Whether a network error code (Node's, or STALL/TIMEOUT/EOF of our own watchdogs) is worth another try. Pure. */
export function classifyNetwork(code: string): OciFailureKind {
  return TRANSIENT_NETWORK.has(code) ? 'transient' : 'fatal';
}

/** Node's TLS errors that say the other end does not speak TLS at all (a plain-HTTP registry). Pure. */
export function notTls(code: string): boolean {
  return code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST';
}

/** Node's errors about a certificate that does not verify. Pure. */
export function certificateProblem(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/.test(code);
}

/** `HTTP 404 NAME_UNKNOWN: repository name not known to registry`. Pure. */
export function describeAnswer(status: number, details: readonly RegistryErrorDetail[]): string {
  const first = details[0];
  return first ? `HTTP ${status} ${first.code}${first.message ? `: ${first.message}` : ''}` : `HTTP ${status}`;
}
