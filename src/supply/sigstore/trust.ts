import { readFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { InputError } from '../../errors.js';
import type { RetryPolicy } from '../../retry/retry.js';
import { fetchWithRetry } from '../../retry/fetch.js';
import type { LogKey } from './rekor.js';

export const PUBLIC_FULCIO = 'https://fulcio.sigstore.dev';
export const PUBLIC_REKOR = 'https://rekor.sigstore.dev';
const TRUSTED_ROOT = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.\d+)?\+json(;version=0\.\d+)?$/;
const SIGNING_CONFIG = /^application\/vnd\.dev\.sigstore\.signingconfig\.v0\.[12]\+json$/;

/** Where keyless signing goes, and what its answers are checked against (nothing for the public instance). */
export interface SigstoreEndpoints {
  fulcio: string;
  rekor: string;
  /** The transparency logs' keys, from a trusted root. */
  logKeys: LogKey[];
  /** The CA certificates a Fulcio chain must end in, from a trusted root. */
  caCertificates: X509Certificate[];
}

interface ValidFor {
  start?: string;
  end?: string;
}
interface TrustedRoot {
  mediaType?: string;
  tlogs?: { baseUrl?: string; publicKey?: { rawBytes?: string; validFor?: ValidFor }; logId?: { keyId?: string } }[];
  certificateAuthorities?: { uri?: string; certChain?: { certificates?: { rawBytes?: string }[] }; validFor?: ValidFor }[];
}
interface Service {
  url?: string;
  majorApiVersion?: number;
  validFor?: ValidFor;
}
interface SigningConfig {
  mediaType?: string;
  caUrl?: string;
  tlogUrls?: string[];
  caUrls?: Service[];
  rekorTlogUrls?: Service[];
}

const validAt = (v: ValidFor | undefined, now: Date): boolean => (!v?.start || new Date(v.start) <= now) && (!v?.end || new Date(v.end) >= now);

/** Endpoints and keys of a sigstore TrustedRoot: the CA and log valid now, each log's key and ID, the CA chains. Pure. */
export function fromTrustedRoot(doc: TrustedRoot, now: Date): Partial<SigstoreEndpoints> {
  if (!TRUSTED_ROOT.test(doc.mediaType ?? '')) throw new InputError('sigstore-trusted-root', `has mediaType "${doc.mediaType ?? ''}"; expected a sigstore TrustedRoot (application/vnd.dev.sigstore.trustedroot+json;version=0.1), as \`cosign trusted-root create\` writes it.`);
  const tlogs = doc.tlogs ?? [];
  const cas = doc.certificateAuthorities ?? [];
  if (!tlogs.length || !cas.length) throw new InputError('sigstore-trusted-root', 'names no transparency log (tlogs) or no certificate authority (certificateAuthorities); keyless signing needs both.');
  const logKeys = tlogs
    .filter((t) => t.publicKey?.rawBytes && t.logId?.keyId)
    .map((t) => ({ logId: Buffer.from(t.logId!.keyId!, 'base64'), publicKey: Buffer.from(t.publicKey!.rawBytes!, 'base64') }));
  const caCertificates = cas.flatMap((c) => (c.certChain?.certificates ?? []).filter((x) => x.rawBytes).map((x) => new X509Certificate(Buffer.from(x.rawBytes!, 'base64'))));
  const ca = cas.filter((c) => validAt(c.validFor, now)).pop()?.uri;
  const log = tlogs.filter((t) => validAt(t.publicKey?.validFor, now)).pop()?.baseUrl;
  return { fulcio: ca, rekor: log, logKeys, caCertificates };
}

/** The CA and Rekor (API v1) URLs of a sigstore SigningConfig, v0.1 or v0.2, valid now. Pure. */
export function fromSigningConfig(doc: SigningConfig, now: Date): Partial<SigstoreEndpoints> {
  if (!SIGNING_CONFIG.test(doc.mediaType ?? '')) throw new InputError('sigstore-signing-config', `has mediaType "${doc.mediaType ?? ''}"; expected a sigstore SigningConfig (application/vnd.dev.sigstore.signingconfig.v0.2+json).`);
  const pick = (services: Service[] | undefined): string | undefined => services?.find((s) => s.url && (s.majorApiVersion ?? 1) === 1 && validAt(s.validFor, now))?.url;
  return { fulcio: pick(doc.caUrls) ?? doc.caUrl, rekor: pick(doc.rekorTlogUrls) ?? doc.tlogUrls?.[0] };
}

/** A JSON file in the workspace, or an https URL. */
async function load(input: string, value: string, workspace: string, policy: RetryPolicy): Promise<unknown> {
  let text: string;
  if (/^https:\/\//i.test(value)) {
    const res = await fetchWithRetry(value, { headers: { accept: 'application/json' } }, 30 * 1000, { ...policy, scope: input });
    if (res.status !== 200) throw new InputError(input, `${value} answered HTTP ${res.status}; give a reachable https URL or a file in the workspace.`);
    text = await res.text();
  } else if (/^[a-z]+:\/\//i.test(value)) {
    throw new InputError(input, `"${value}" is neither an https URL nor a file; give a path in the workspace or an https:// URL.`);
  } else {
    try {
      text = readFileSync(path.resolve(workspace, value), 'utf8');
    } catch {
      throw new InputError(input, `${value} cannot be read; give a JSON file in the workspace or an https:// URL.`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(input, `${value} is not JSON.`);
  }
}

/** The endpoints keyless signing uses: the signing config's, else the trusted root's, else Sigstore's public instance. */
export async function resolveSigstore(o: { trustedRoot: string; signingConfig: string }, workspace: string, policy: RetryPolicy, now = new Date()): Promise<SigstoreEndpoints> {
  const root = o.trustedRoot ? fromTrustedRoot((await load('sigstore-trusted-root', o.trustedRoot, workspace, policy)) as TrustedRoot, now) : {};
  const config = o.signingConfig ? fromSigningConfig((await load('sigstore-signing-config', o.signingConfig, workspace, policy)) as SigningConfig, now) : {};
  const input = o.signingConfig ? 'sigstore-signing-config' : 'sigstore-trusted-root';
  const fulcio = config.fulcio ?? root.fulcio ?? (o.trustedRoot || o.signingConfig ? undefined : PUBLIC_FULCIO);
  const rekor = config.rekor ?? root.rekor ?? (o.trustedRoot || o.signingConfig ? undefined : PUBLIC_REKOR);
  if (!fulcio || !rekor) throw new InputError(input, `names no ${fulcio ? 'Rekor (API v1) URL' : 'certificate authority URL'} valid now; add it (caUrls / rekorTlogUrls in a SigningConfig, certificateAuthorities[].uri / tlogs[].baseUrl in a TrustedRoot).`);
  return { fulcio, rekor, logKeys: root.logKeys ?? [], caCertificates: root.caCertificates ?? [] };
}
