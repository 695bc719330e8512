import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import { LocalServer } from './server.ts';

/** GitHub's claims for a job of `repository` on `ref`, running `workflow` (path in the repository). */
export function githubClaims(o: { repository: string; ref: string; workflow: string; sha: string; event?: string }): Record<string, string> {
  const workflowRef = `${o.repository}/${o.workflow}@${o.ref}`;
  return {
    sub: `repo:${o.repository}:ref:${o.ref}`,
    repository: o.repository,
    repository_owner: o.repository.split('/')[0],
    repository_id: '4242',
    repository_owner_id: '42',
    repository_visibility: 'public',
    ref: o.ref,
    ref_type: o.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: o.sha,
    event_name: o.event ?? 'push',
    workflow: 'release',
    workflow_ref: workflowRef,
    workflow_sha: o.sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: o.sha,
    runner_environment: 'github-hosted',
    run_id: '1001',
    run_number: '7',
    run_attempt: '1',
    actor: 'octocat',
  };
}

/**
 * The runner's token endpoint and an OIDC issuer behind it, on 127.0.0.1: GET /token?audience=… with the request
 * token as bearer gives `{value: <JWT>}` (ES256, GitHub's claims, `iss` as configured); the discovery document and
 * JWKS are served for the CA. Keeps the tokens it gave out.
 */
export class OidcIssuer extends LocalServer {
  readonly requestToken = `req-${randomBytes(16).toString('hex')}`;
  private readonly key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  /** Every ID token given out (to check none leaks). */
  readonly tokens: string[] = [];

  constructor(
    readonly issuer: string,
    public claims: Record<string, string>,
  ) {
    super();
  }

  /** What the runner sets for a job with `id-token: write`. */
  get env(): Record<string, string> {
    return { ACTIONS_ID_TOKEN_REQUEST_URL: `${this.url}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken };
  }

  get jwksUrl(): string {
    return `${this.url}/.well-known/jwks`;
  }

  jwt(audience: string): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = `${part({ alg: 'ES256', typ: 'JWT', kid: 'test' })}.${part({ ...this.claims, iss: this.issuer, aud: audience, iat: now, nbf: now - 5, exp: now + 300, jti: randomBytes(8).toString('hex') })}`;
    return `${head}.${sign('sha256', Buffer.from(head), { key: this.key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => LocalServer.json(res, status, body, headers);
    if (url.pathname === '/.well-known/openid-configuration') return json(200, { issuer: this.issuer, jwks_uri: this.jwksUrl });
    if (url.pathname === '/.well-known/jwks') return json(200, { keys: [{ ...this.key.publicKey.export({ format: 'jwk' }), kid: 'test', alg: 'ES256', use: 'sig' }] });
    if (url.pathname !== '/token') return json(404, { message: 'not found' });
    if (req.headers.authorization !== `Bearer ${this.requestToken}`) return json(401, { message: 'Bad credentials' });
    const token = this.jwt(url.searchParams.get('audience') ?? '');
    this.tokens.push(token);
    json(200, { count: 1, value: token });
  }
}
