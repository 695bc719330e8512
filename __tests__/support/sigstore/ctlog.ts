import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { octets, type Extension } from './der.ts';

const u = (n: number | bigint, bytes: number): Buffer => {
  const b = Buffer.alloc(bytes);
  let v = BigInt(n);
  for (let i = bytes - 1; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  return b;
};
const opaque = (b: Buffer, lenBytes: number): Buffer => Buffer.concat([u(b.length, lenBytes), b]);

/**
 * A certificate transparency log's signer, as Fulcio's CT log answers it: a signed certificate timestamp (RFC 6962
 * §3.2) over a precertificate (the TBSCertificate without the SCT list, and the issuer's key hash), for the CA to
 * embed (OID 1.3.6.1.4.1.11129.2.4.2). Nothing is logged: verifiers check the SCT's signature only.
 */
export class CtLog {
  readonly key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  readonly publicDer = this.key.publicKey.export({ format: 'der', type: 'spki' });
  readonly logId = createHash('sha256').update(this.publicDer).digest();

  /** The SCT list extension for a leaf whose TBSCertificate, without it, is `precertTbs`. */
  sctExtension(precertTbs: Buffer, issuerSpki: Buffer, at = new Date()): Extension {
    const timestamp = u(at.getTime(), 8);
    const signed = Buffer.concat([Buffer.from([0, 0]), timestamp, u(1, 2), createHash('sha256').update(issuerSpki).digest(), opaque(precertTbs, 3), u(0, 2)]);
    const signature = sign('sha256', signed, this.key.privateKey);
    const sct = Buffer.concat([Buffer.from([0]), this.logId, timestamp, u(0, 2), Buffer.from([4, 3]), opaque(signature, 2)]);
    return { oid: '1.3.6.1.4.1.11129.2.4.2', value: octets(opaque(opaque(sct, 2), 2)) };
  }
}
