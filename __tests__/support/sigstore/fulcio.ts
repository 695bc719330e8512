import { createPublicKey, generateKeyPairSync, randomBytes, verify, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { LocalServer } from './server.ts';
import type { CtLog } from './ctlog.ts';
import { certificate, ext, name, tbsCertificate, utf8, type Extension } from './der.ts';

const spkiOf = (k: KeyObject): Buffer => (k.type === 'public' ? k : createPublicKey(k)).export({ format: 'der', type: 'spki' });

/** Fulcio's extensions for a GitHub Actions token (OIDs 1.3.6.1.4.1.57264.1.*): .1–.6 raw strings, .8 on DER UTF8Strings. */
export function workflowExtensions(issuer: string, c: Record<string, string>, server = 'https://github.com'): Extension[] {
  const raw = (n: number, v: string): Extension => ({ oid: `1.3.6.1.4.1.57264.1.${n}`, value: Buffer.from(v) });
  const der = (n: number, v: string): Extension => ({ oid: `1.3.6.1.4.1.57264.1.${n}`, value: utf8(v) });
  const url = (p: string): string => `${server}/${p}`;
  return [
    raw(1, issuer),
    raw(2, c.event_name),
    raw(3, c.sha),
    raw(4, c.workflow),
    raw(5, c.repository),
    raw(6, c.ref),
    der(8, issuer),
    der(9, url(c.job_workflow_ref)),
    der(10, c.job_workflow_sha),
    der(11, c.runner_environment),
    der(12, url(c.repository)),
    der(13, c.sha),
    der(14, c.ref),
    der(15, c.repository_id),
    der(16, url(c.repository_owner)),
    der(17, c.repository_owner_id),
    der(18, url(c.workflow_ref)),
    der(19, c.workflow_sha),
    der(20, c.event_name),
    der(21, url(`${c.repository}/actions/runs/${c.run_id}/attempts/${c.run_attempt}`)),
    der(22, c.repository_visibility),
  ];
}

/**
 * A Fulcio-compatible CA on 127.0.0.1: a root and an intermediate, and `POST /api/v2/signingCert`, which checks the
 * token (ES256 against the issuer's JWKS, audience `sigstore`, not expired), the proof of possession (a signature
 * over `sub` by the key to certify), then issues a 10-minute leaf: SAN URI = the job's workflow, code signing, the
 * workflow extensions, and an SCT of the CT log embedded.
 */
export class FulcioCa extends LocalServer {
  readonly rootKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  readonly intermediateKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  readonly rootPem: string;
  readonly intermediatePem: string;
  readonly notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  issued = 0;

  constructor(
    private readonly issuers: Record<string, string>,
    private readonly ct: CtLog,
  ) {
    super();
    const rootName = name({ o: 'image-publish tests', cn: 'test-fulcio-root' });
    const interName = name({ o: 'image-publish tests', cn: 'test-fulcio-intermediate' });
    const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
    const rootSpki = spkiOf(this.rootKey.publicKey);
    const interSpki = spkiOf(this.intermediateKey.publicKey);
    this.rootPem = certificate(
      tbsCertificate({ serial: 1n, issuer: rootName, subject: rootName, notBefore: this.notBefore, notAfter, spki: rootSpki, extensions: [ext.keyUsage(true), ext.basicConstraints(true, 1), ext.subjectKeyId(rootSpki)] }),
      this.rootKey.privateKey,
    );
    this.intermediatePem = certificate(
      tbsCertificate({ serial: 2n, issuer: rootName, subject: interName, notBefore: this.notBefore, notAfter, spki: interSpki, extensions: [ext.keyUsage(true), ext.basicConstraints(true, 0), ext.subjectKeyId(interSpki), ext.authorityKeyId(rootSpki), ext.codeSigning()] }),
      this.rootKey.privateKey,
    );
  }


  /** Checks an ID token as Fulcio does; returns its claims. */
  private async claims(token: string): Promise<Record<string, string>> {
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, string> & { aud: string; exp: number };
    const jwksUrl = this.issuers[claims.iss];
    if (!jwksUrl) throw new Error(`issuer ${claims.iss} is not trusted`);
    const keys = ((await (await fetch(jwksUrl)).json()) as { keys: JsonWebKey[] }).keys;
    const ok = keys.some((k) => verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: k, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')));
    if (!ok) throw new Error('the token signature does not verify');
    if (claims.aud !== 'sigstore') throw new Error(`audience ${claims.aud} is not sigstore`);
    if (claims.exp * 1000 < Date.now()) throw new Error('the token has expired');
    return claims;
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => LocalServer.json(res, status, body, headers);
    if (req.method !== 'POST' || req.url !== '/api/v2/signingCert') return json(404, { message: 'not found' });
    try {
      const body = JSON.parse((await LocalServer.body(req)).toString()) as { credentials: { oidcIdentityToken: string }; publicKeyRequest: { publicKey: { content: string }; proofOfPossession: string } };
      const claims = await this.claims(body.credentials.oidcIdentityToken);
      const key = createPublicKey(body.publicKeyRequest.publicKey.content);
      if (!verify('sha256', Buffer.from(claims.sub), key, Buffer.from(body.publicKeyRequest.proofOfPossession, 'base64'))) return json(400, { code: 3, message: 'The signature supplied in the request could not be verified' });
      const spki = spkiOf(key);
      const issuerSpki = spkiOf(this.intermediateKey.publicKey);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const spec = {
        serial: BigInt(`0x${randomBytes(16).toString('hex')}`),
        issuer: name({ o: 'image-publish tests', cn: 'test-fulcio-intermediate' }),
        subject: Buffer.from([0x30, 0]),
        notBefore: now,
        notAfter: new Date(now.getTime() + 10 * 60 * 1000),
        spki,
        extensions: [ext.keyUsage(false), ext.codeSigning(), ext.subjectKeyId(spki), ext.authorityKeyId(issuerSpki), ext.sanUri(`https://github.com/${claims.job_workflow_ref}`), ...workflowExtensions(claims.iss, claims)],
      };
      // as Fulcio does: the CT log signs the certificate without its SCT list, which is then embedded, last
      const sct = this.ct.sctExtension(tbsCertificate(spec), issuerSpki, now);
      const leaf = certificate(tbsCertificate({ ...spec, extensions: [...spec.extensions, sct] }), this.intermediateKey.privateKey);
      new X509Certificate(leaf); // a certificate Node cannot parse is a bug here, not the client's
      this.issued++;
      json(201, { signedCertificateEmbeddedSct: { chain: { certificates: [leaf, this.intermediatePem, this.rootPem] } } });
    } catch (e) {
      json(401, { code: 16, message: (e as Error).message });
    }
  }
}
