import type { KeyObject } from 'node:crypto';
import { InputError } from '../errors.js';
import { openCosignKey } from './cosign.js';

export type SignMode = 'none' | 'key';

/** What the supply-chain step attaches after the push. */
export interface SupplyOptions {
  sbom: boolean;
  /** Our SLSA v1 statement (`provenance: true`); BuildKit's own (mode=min|max) is the buildx value, not this. */
  provenance: boolean;
  sign: SignMode;
  /** The opened private key (never serialised: a KeyObject prints as {}). */
  key?: KeyObject;
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
 * sbom, provenance (`true` only: `mode=…` goes to BuildKit), sign, signing-key, signing-password. Opens the
 * key here, so that a wrong password or a key of another kind fails before anything is built or pushed.
 */
export function parseSupply(read: (name: string) => string): SupplyOptions {
  const sbom = bool('sbom', read('sbom'));
  const provenance = read('provenance').trim() === 'true';
  const sign = read('sign').trim() || 'none';
  if (sign !== 'none' && sign !== 'key') throw new InputError('sign', `"${sign}" is not one of none, key.`);
  if (sign === 'none') return { sbom, provenance, sign };
  const pem = read('signing-key');
  if (!pem.trim()) throw new InputError('signing-key', 'is empty, but `sign: key` needs the cosign private key; pass it from a secret, e.g. `signing-key: ${{ secrets.COSIGN_PRIVATE_KEY }}`.');
  return { sbom, provenance, sign, key: openCosignKey(pem, read('signing-password')) };
}

/** Whether anything is attached after the push. Pure. */
export function wantsSupply(o: SupplyOptions): boolean {
  return o.sbom || o.provenance || o.sign !== 'none';
}
