import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CtLog } from './ctlog.ts';
import { FulcioCa } from './fulcio.ts';
import { githubClaims, OidcIssuer } from './oidc.ts';
import { RekorLog } from './rekor.ts';

export { githubClaims } from './oidc.ts';
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * The test suite's own Sigstore, in-process on 127.0.0.1: the runner's OIDC token endpoint and issuer (tokens say
 * `iss: https://token.actions.githubusercontent.com`, the CA is configured to trust this issuer's JWKS for it, as a
 * private Fulcio is configured for GitHub), a Fulcio-compatible CA that embeds the SCT of a CT log signer, and a
 * Rekor-compatible log; a TrustedRoot naming them, and the files and env cosign 2.5 reads offline.
 */
export class LocalSigstore {
  oidc!: OidcIssuer;
  fulcio!: FulcioCa;
  rekor!: RekorLog;
  readonly ct = new CtLog();
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'ip-sigstore-'));

  async start(claims: Record<string, string>): Promise<this> {
    this.oidc = await new OidcIssuer(GITHUB_ISSUER, claims).start();
    this.fulcio = await new FulcioCa({ [GITHUB_ISSUER]: this.oidc.jwksUrl }, this.ct).start();
    this.rekor = await new RekorLog().start();
    writeFileSync(this.trustedRootFile, JSON.stringify(this.trustedRoot(), null, 2));
    writeFileSync(this.caFile, this.fulcio.intermediatePem + this.fulcio.rootPem);
    writeFileSync(this.rekorKeyFile, this.rekor.key.publicKey.export({ format: 'pem', type: 'spki' }));
    writeFileSync(this.ctKeyFile, this.ct.key.publicKey.export({ format: 'pem', type: 'spki' }));
    return this;
  }

  async close(): Promise<void> {
    await Promise.all([this.oidc?.close(), this.fulcio?.close(), this.rekor?.close()]);
  }

  get trustedRootFile(): string {
    return path.join(this.dir, 'trusted_root.json');
  }

  /** The Fulcio chain (intermediate, root) as PEM: SIGSTORE_ROOT_FILE for cosign's verification without TUF. */
  get caFile(): string {
    return path.join(this.dir, 'fulcio-chain.pem');
  }

  get rekorKeyFile(): string {
    return path.join(this.dir, 'rekor.pub');
  }

  get ctKeyFile(): string {
    return path.join(this.dir, 'ctlog.pub');
  }

  /** sigstore's TrustedRoot v0.1: the CA's chain, the Rekor log's and the CT log's keys and IDs. */
  trustedRoot(): Record<string, unknown> {
    const start = this.fulcio.notBefore.toISOString();
    const der = (pem: string): string => new X509Certificate(pem).raw.toString('base64');
    const log = (baseUrl: string, key: Buffer, id: Buffer): Record<string, unknown> => ({ baseUrl, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: key.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } }, logId: { keyId: id.toString('base64') } });
    return {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [log(this.rekor.url, this.rekor.publicDer, this.rekor.logId)],
      certificateAuthorities: [{ subject: { organization: 'image-publish tests', commonName: 'test-fulcio' }, uri: this.fulcio.url, certChain: { certificates: [{ rawBytes: der(this.fulcio.intermediatePem) }, { rawBytes: der(this.fulcio.rootPem) }] }, validFor: { start } }],
      ctlogs: [log('http://127.0.0.1:9/ct', this.ct.publicDer, this.ct.logId)],
      timestampAuthorities: [],
    };
  }

  /**
   * What Debian's cosign 2.5 needs to verify offline against this Sigstore: the Fulcio chain, the Rekor and CT log
   * keys by file (its TUF client would go online otherwise); the TrustedRoot goes in --trusted-root for bundles.
   */
  get cosignEnv(): Record<string, string> {
    return { SIGSTORE_ROOT_FILE: this.caFile, SIGSTORE_REKOR_PUBLIC_KEY: this.rekorKeyFile, SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: this.ctKeyFile, TUF_ROOT: path.join(this.dir, 'tuf') };
  }
}

export type Claims = ReturnType<typeof githubClaims>;
