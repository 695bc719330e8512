import { createHash, createPublicKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import type { RetryPolicy } from '../retry/retry.js';
import type { Signed } from './sigstore/bundle.js';
import { envelope, pae } from './sigstore/dsse.js';
import { chainProblem, signingCertificate } from './sigstore/fulcio.js';
import { expectedIdentity, jwtClaims, requestIdToken } from './sigstore/oidc.js';
import { dsseProposal, hashedRekord, logEntry } from './sigstore/rekor.js';
import type { SigstoreEndpoints } from './sigstore/trust.js';

/** Signs payloads for the supply-chain step: with the user's key, or keyless (Fulcio certificate, Rekor entry). */
export interface Signer {
  kind: 'key' | 'keyless';
  /** A DSSE envelope of the payload: attestations, and cosign v3's image signatures. */
  dsse(payloadType: string, payload: Buffer): Promise<Signed>;
  /** A plain signature of the payload: cosign 2's simple-signing payload at the `.sig` tag. */
  message(payload: Buffer): Promise<Signed>;
}

/** A signer with cosign's key: nothing is logged, as `sign: key` always did (verify with --insecure-ignore-tlog). */
export function keySigner(key: KeyObject): Signer {
  const keyHint = createHash('sha256').update(createPublicKey(key).export({ format: 'der', type: 'spki' })).digest('base64');
  return {
    kind: 'key',
    dsse: async (type, payload) => ({ material: { keyHint }, content: { envelope: envelope(type, payload, sign('sha256', pae(type, payload), key)) } }),
    message: async (payload) => ({ material: { keyHint }, content: { message: createHash('sha256').update(payload).digest(), signature: sign('sha256', payload, key) } }),
  };
}

export interface KeylessContext {
  env: NodeJS.ProcessEnv;
  endpoints: SigstoreEndpoints;
  policy: RetryPolicy;
  /** Masks a value in the runner's log (the ID token). */
  mask: (secret: string) => void;
  log: (message: string) => void;
}

/**
 * A keyless signer: one ephemeral P-256 key for the run, never written anywhere; a Fulcio certificate for it, asked
 * for with the runner's OIDC token (audience `sigstore`) and renewed when less than a minute of it is left; one
 * Rekor entry per signature. The ID token is used once per certificate and not kept.
 */
export function keylessSigner(c: KeylessContext): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  let chain: string[] | undefined;
  const certificate = async (): Promise<string[]> => {
    if (chain && new Date(new X509Certificate(chain[0]).validTo).getTime() - Date.now() > 60 * 1000) return chain;
    const token = await requestIdToken(c.env, 'sigstore', c.policy);
    c.mask(token);
    const who = expectedIdentity(jwtClaims(token), c.env.GITHUB_SERVER_URL);
    const issued = await signingCertificate(c.endpoints.fulcio, token, publicPem, sign('sha256', Buffer.from(who.subject), privateKey), c.policy);
    const problem = chainProblem(issued, publicKey, new Date(), c.endpoints.caCertificates);
    if (problem) throw new Error(`the certificate authority ${c.endpoints.fulcio} issued a certificate that cannot be used: ${problem}`);
    c.log(`Fulcio (${c.endpoints.fulcio}) certified ${who.identity || who.subject}, issuer ${who.issuer}, until ${new X509Certificate(issued[0]).validTo}.`);
    chain = issued;
    return issued;
  };
  return {
    kind: 'keyless',
    async dsse(type, payload) {
      const certs = await certificate();
      const env = envelope(type, payload, sign('sha256', pae(type, payload), privateKey));
      const entry = await logEntry(c.endpoints.rekor, dsseProposal(JSON.stringify(env), certs[0]), Buffer.from(env.signatures[0].sig, 'base64'), c.endpoints.logKeys, c.policy);
      return { material: { chain: certs }, entry, content: { envelope: env } };
    },
    async message(payload) {
      const certs = await certificate();
      const signature = sign('sha256', payload, privateKey);
      const message = createHash('sha256').update(payload).digest();
      const entry = await logEntry(c.endpoints.rekor, hashedRekord(message.toString('hex'), signature, certs[0]), signature, c.endpoints.logKeys, c.policy);
      return { material: { chain: certs }, entry, content: { message, signature } };
    },
  };
}
