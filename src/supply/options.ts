import type { KeyObject } from 'node:crypto';
import { InputError } from '../errors.js';
import { openCosignKey } from './cosign.js';

export type SignMode = 'none' | 'key' | 'keyless';
/** Where signatures (and signed attestations) go: cosign v3's bundles as OCI 1.1 referrers, or cosign 2's tags. */
export type SignatureFormat = 'auto' | 'referrers' | 'tag';
/** Where the SBOM and provenance go: BuildKit's index of attestation manifests, or referrers of the digest. */
export type AttestationPlacement = 'auto' | 'index' | 'referrers';

/** What the supply-chain step attaches after the push. */
export interface SupplyOptions {
  sbom: boolean;
  /** Our SLSA v1 statement (`provenance: true`); BuildKit's own (mode=min|max) is the buildx value, not this. */
  provenance: boolean;
  sign: SignMode;
  /** The opened private key (never serialised: a KeyObject prints as {}). */
  key?: KeyObject;
  signatureFormat: SignatureFormat;
  attestations: AttestationPlacement;
  /** sign: keyless: a private Sigstore's TrustedRoot / SigningConfig (file or https URL); empty = the public instance. */
  sigstore: { trustedRoot: string; signingConfig: string };
}

function oneOf<T extends string>(name: string, raw: string, values: readonly T[], fallback: T): T {
  const v = raw.trim() || fallback;
  if (!(values as readonly string[]).includes(v)) throw new InputError(name, `"${v}" is not one of ${values.join(', ')}.`);
  return v as T;
}

function bool(name: string, raw: string): boolean {
  const v = raw.trim();
  if (v === '' || /^false$/i.test(v)) return false;
  if (/^true$/i.test(v)) return true;
  throw new InputError(name, `"${v}" is not a boolean; use true or false.`);
}

/** The lines of the inputs that hold secrets, to be masked before anything parses or prints them. Pure. */
export function secretLines(read: (name: string) => string): string[] {
  const pw = read('signing-password');
  // the PEM armour lines are not secret, and masking them would hide the error that quotes the expected header
  const body = read('signing-key')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => !l.startsWith('-----'));
  return [...body, pw, pw.trim()].filter((l) => l !== '');
}

/**
 * sbom, provenance (`true` only: `mode=…` goes to BuildKit), sign, signing-key, signing-password, signature-format,
 * attestations, sigstore-*. Opens the key here, so that a wrong password or a key of another kind fails before
 * anything is built or pushed; `sign: keyless` on a run that will push needs the job's OIDC token
 * (ACTIONS_ID_TOKEN_REQUEST_URL, there only with `id-token: write`), checked here for the same reason. Pure.
 */
export function parseSupply(read: (name: string) => string, run: { env?: NodeJS.ProcessEnv; pushes?: boolean } = {}): SupplyOptions {
  const sbom = bool('sbom', read('sbom'));
  const provenance = read('provenance').trim() === 'true';
  const sign = oneOf('sign', read('sign'), ['none', 'key', 'keyless'] as const, 'none');
  const base = {
    sbom,
    provenance,
    sign,
    signatureFormat: oneOf('signature-format', read('signature-format'), ['auto', 'referrers', 'tag'] as const, 'auto'),
    attestations: oneOf('attestations', read('attestations'), ['auto', 'index', 'referrers'] as const, 'auto'),
    sigstore: { trustedRoot: read('sigstore-trusted-root').trim(), signingConfig: read('sigstore-signing-config').trim() },
  };
  if (sign !== 'keyless' && (base.sigstore.trustedRoot || base.sigstore.signingConfig)) {
    throw new InputError(base.sigstore.trustedRoot ? 'sigstore-trusted-root' : 'sigstore-signing-config', 'only applies to `sign: keyless`; set sign: keyless or remove it.');
  }
  if (sign === 'none') return base;
  if (sign === 'keyless') {
    if (read('signing-key').trim()) throw new InputError('signing-key', 'is set, but `sign: keyless` signs with a short-lived certificate and no key; remove signing-key (and signing-password), or set sign: key.');
    if (run.pushes !== false && !run.env?.ACTIONS_ID_TOKEN_REQUEST_URL) {
      throw new InputError('sign', 'keyless needs the job\'s OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job `permissions: id-token: write` (with `contents: read`), or use sign: key.');
    }
    return base;
  }
  const pem = read('signing-key');
  if (!pem.trim()) throw new InputError('signing-key', 'is empty, but `sign: key` needs the cosign private key; pass it from a secret, e.g. `signing-key: ${{ secrets.COSIGN_PRIVATE_KEY }}`.');
  return { ...base, key: openCosignKey(pem, read('signing-password')) };
}

/** Whether anything is attached after the push. Pure. */
export function wantsSupply(o: SupplyOptions): boolean {
  return o.sbom || o.provenance || o.sign !== 'none';
}
