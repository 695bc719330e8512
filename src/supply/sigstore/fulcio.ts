import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { RetryPolicy } from '../../retry/retry.js';
import { fetchWithRetry } from '../../retry/fetch.js';

const TIMEOUT_MS = 30 * 1000;

/** The body of Fulcio's `POST /api/v2/signingCert`: the token, our public key, and our signature over its `sub`. Pure. */
export function certificateRequest(idToken: string, publicKeyPem: string, proofOfPossession: Buffer): Record<string, unknown> {
  return {
    credentials: { oidcIdentityToken: idToken },
    publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: publicKeyPem }, proofOfPossession: proofOfPossession.toString('base64') },
  };
}

/** The PEM chain (leaf first) of Fulcio's answer, embedded or detached SCT alike. Pure. */
export function certificateChain(json: unknown): string[] {
  const a = json as { signedCertificateEmbeddedSct?: { chain?: { certificates?: unknown } }; signedCertificateDetachedSct?: { chain?: { certificates?: unknown } } };
  const certs = (a?.signedCertificateEmbeddedSct ?? a?.signedCertificateDetachedSct)?.chain?.certificates;
  if (!Array.isArray(certs) || !certs.length || !certs.every((c) => typeof c === 'string' && c.includes('BEGIN CERTIFICATE'))) throw new Error('the certificate authority answered without a PEM certificate chain');
  return certs as string[];
}

/**
 * What is wrong with an issued chain, or undefined: the leaf must hold our key, be valid now, and each certificate
 * must be signed by the next; with `roots` (a trusted root's CA certificates) the chain must end in one of them. Pure.
 */
export function chainProblem(chain: readonly string[], publicKey: KeyObject, now: Date, roots: readonly X509Certificate[] = []): string | undefined {
  const certs = chain.map((p) => new X509Certificate(p));
  const leaf = certs[0];
  const der = (k: KeyObject): Buffer => k.export({ format: 'der', type: 'spki' });
  if (!der(leaf.publicKey).equals(der(publicKey.type === 'public' ? publicKey : createPublicKey(publicKey)))) return 'the certificate is not for the key that asked for it';
  if (new Date(leaf.validFrom) > new Date(now.getTime() + 60 * 1000) || new Date(leaf.validTo) < now) return `the certificate is not valid now (${leaf.validFrom} to ${leaf.validTo})`;
  for (let i = 0; i + 1 < certs.length; i++) if (!certs[i].verify(certs[i + 1].publicKey)) return `certificate ${i} of the chain is not signed by certificate ${i + 1}`;
  if (roots.length) {
    const last = certs[certs.length - 1];
    if (!roots.some((r) => r.raw.equals(last.raw) || last.verify(r.publicKey))) return 'the chain does not end in a certificate authority of the trusted root';
  }
  return undefined;
}

/** Asks the CA for a short-lived certificate of `publicKey`; returns its PEM chain, leaf first. */
export async function signingCertificate(baseUrl: string, idToken: string, publicKeyPem: string, proof: Buffer, policy: RetryPolicy): Promise<string[]> {
  const res = await fetchWithRetry(
    `${baseUrl.replace(/\/$/, '')}/api/v2/signingCert`,
    { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(certificateRequest(idToken, publicKeyPem, proof)) },
    TIMEOUT_MS,
    { ...policy, scope: 'Fulcio' },
  );
  const text = await res.text();
  // the CA's error names the claim or the key at fault; a CA that echoes the token gets it cut out
  if (res.status !== 200 && res.status !== 201) throw new Error(`the certificate authority ${baseUrl} answered ${res.status}: ${text.split(idToken).join('***').slice(0, 300)}`);
  return certificateChain(JSON.parse(text));
}
