import { createPrivateKey, createPublicKey, scryptSync, sign, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { InputError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { MEDIA } from '../oci/media.js';
import { blob, type Blob } from './attest.js';

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

const PEM = /-----BEGIN (ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----/;
const EXPECTED = 'expected the cosign.key that `cosign generate-key-pair` writes: a PEM block "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----" (or the older ENCRYPTED COSIGN PRIVATE KEY) holding scrypt + nacl/secretbox JSON';

interface Envelope {
  kdf?: { name?: string; params?: { N?: number; r?: number; p?: number }; salt?: string };
  cipher?: { name?: string; nonce?: string };
  ciphertext?: string;
}

/**
 * Opens a cosign encrypted private key: scrypt(password, salt) is the nacl secretbox key of the PKCS#8 key.
 * Throws InputError naming `signing-key` or `signing-password`, and never quotes either. Pure.
 */
export function openCosignKey(pem: string, password: string): KeyObject {
  const m = PEM.exec(pem);
  if (!m) throw new InputError('signing-key', `is not a cosign private key; ${EXPECTED}.`);
  let env: Envelope;
  try {
    env = JSON.parse(Buffer.from(m[2].replace(/\s+/g, ''), 'base64').toString('utf8')) as Envelope;
  } catch {
    throw new InputError('signing-key', `has a cosign PEM header but its body is not the JSON cosign writes; ${EXPECTED}.`);
  }
  const { kdf, cipher, ciphertext } = env;
  const params = kdf?.params;
  if (kdf?.name !== 'scrypt' || !params?.N || !params.r || !params.p || !kdf.salt || cipher?.name !== 'nacl/secretbox' || !cipher.nonce || !ciphertext) {
    throw new InputError('signing-key', `uses a key derivation or cipher other than scrypt and nacl/secretbox; ${EXPECTED}.`);
  }
  if (params.N > 2 ** 20 || params.r > 32 || params.p > 16) throw new InputError('signing-key', 'asks for scrypt parameters larger than cosign ever writes; regenerate it with `cosign generate-key-pair`.');
  const secret = scryptSync(Buffer.from(password, 'utf8'), Buffer.from(kdf.salt, 'base64'), 32, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 });
  const opened = nacl.secretbox.open(new Uint8Array(Buffer.from(ciphertext, 'base64')), new Uint8Array(Buffer.from(cipher.nonce, 'base64')), new Uint8Array(secret));
  if (!opened) throw new InputError('signing-password', 'does not open `signing-key`; pass the password that was given to `cosign generate-key-pair` (COSIGN_PASSWORD) for this key.');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(opened), format: 'der', type: 'pkcs8' });
  } catch {
    throw new InputError('signing-key', `opens, but holds no PKCS#8 private key; ${EXPECTED}.`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new InputError('signing-key', `holds a ${key.asymmetricKeyType ?? 'unknown'} key; only ECDSA P-256 keys (cosign's default) are supported.`);
  }
  return key;
}

/** The public key in the PEM form `cosign.pub` has, for the log and the report. Pure. */
export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
}

/** The simple-signing payload cosign signs, byte for byte as cosign writes it. Pure. */
export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
      optional: null,
    }),
  );
}

/** ECDSA P-256 over SHA-256, ASN.1 DER, base64: the value of the signature annotation. */
export function signPayload(key: KeyObject, payload: Buffer): string {
  return sign('sha256', payload, key).toString('base64');
}

/** `sha256-<hex>.sig`: the tag cosign looks for next to the signed digest. Pure. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** `sha256-<hex>.att`: the tag cosign 2 keeps a digest's signed attestations at. Pure. */
export function attestationTag(digest: string): string {
  return `${digest.replace(':', '-')}.att`;
}

/** One signature layer: the payload blob, annotated with its signature (and, keyless, certificate, chain, Rekor bundle). Pure. */
export function signatureLayer(payload: Buffer, signature: string, keyless: Record<string, string> = {}): Blob {
  return blob(MEDIA.cosignSimpleSigning, payload, { annotations: { [SIGNATURE_ANNOTATION]: signature, ...keyless } });
}

/** One `.att` layer as cosign 2 writes it: the DSSE envelope, its predicate type, an empty signature annotation. Pure. */
export function attestationLayer(envelopeJson: string, predicateType: string, keyless: Record<string, string> = {}): Blob {
  return blob(MEDIA.dsseEnvelope, Buffer.from(envelopeJson), { annotations: { [SIGNATURE_ANNOTATION]: '', predicateType, ...keyless } });
}

/**
 * The manifest cosign keeps at the .sig (and .att) tag: an OCI image whose layers are signed payloads. `existing` are
 * the layers already there (other keys, earlier runs); a layer with the same payload and signature is kept once. Pure.
 */
export function signatureManifest(layers: readonly Descriptor[]): { config: Blob; manifest: Blob } {
  const seen = new Set<string>();
  const unique = layers.filter((l) => {
    const k = `${l.digest} ${l.annotations?.[SIGNATURE_ANNOTATION] ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const zero = '0001-01-01T00:00:00Z';
  const config = blob(
    MEDIA.ociConfig,
    Buffer.from(JSON.stringify({ architecture: '', created: zero, history: unique.map(() => ({ created: zero })), os: '', rootfs: { type: 'layers', diff_ids: unique.map((l) => l.digest) }, config: {} })),
  );
  const manifest = blob(MEDIA.ociManifest, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: config.descriptor, layers: unique })));
  return { config, manifest };
}
