import type { FailureKind } from '../retry/classify.js';
import type { RegistryErrorDetail } from './headers.js';


/** A failed exchange with a registry. The message never holds a credential or a token. */
export class RegistryError extends Error {
  constructor(
    message: string,
    /** auth: never retried; transient: retried within the policy; fatal: retrying cannot help. */
    readonly kind: FailureKind,
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
