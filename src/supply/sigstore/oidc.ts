import type { RetryPolicy } from '../../retry/retry.js';
import { fetchWithRetry } from '../../retry/fetch.js';

const TIMEOUT_MS = 30 * 1000;
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const PERMISSION_HINT = 'give the job `permissions: id-token: write` (and keep `contents: read`)';

/** The claims of a JWT, read without checking its signature (Fulcio checks it). Pure. */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('the OIDC token is not a JWT');
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('the OIDC token is not a JWT');
  }
}

/**
 * The certificate identity Fulcio writes for a GitHub Actions token: the SAN URI is the job's workflow file at its
 * ref (job_workflow_ref), the issuer the token's `iss`. What `cosign verify --certificate-identity` must name. Pure.
 */
export function expectedIdentity(claims: Record<string, unknown>, serverUrl = 'https://github.com'): { identity: string; issuer: string; subject: string } {
  const str = (k: string): string => (typeof claims[k] === 'string' ? (claims[k] as string) : '');
  if (!str('sub')) throw new Error('the OIDC token has no `sub` claim');
  return { identity: str('job_workflow_ref') ? `${serverUrl.replace(/\/$/, '')}/${str('job_workflow_ref')}` : '', issuer: str('iss'), subject: str('sub') };
}

/**
 * The runner's OIDC token for `audience`, asked of ACTIONS_ID_TOKEN_REQUEST_URL with the request token as the
 * bearer (a secret: it goes in a header, never in argv or a log). 401/403 mean the permission is missing.
 */
export async function requestIdToken(env: NodeJS.ProcessEnv, audience: string, policy: RetryPolicy): Promise<string> {
  const base = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!base || !bearer) throw new Error(`sign: keyless needs the runner's OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN are not set; ${PERMISSION_HINT}`);
  const url = new URL(base);
  url.searchParams.set('audience', audience);
  const res = await fetchWithRetry(url.toString(), { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } }, TIMEOUT_MS, { ...policy, scope: 'OIDC token' });
  if (res.status === 401 || res.status === 403) throw new Error(`the runner refused an OIDC token (HTTP ${res.status}); ${PERMISSION_HINT}`);
  if (res.status !== 200) throw new Error(`the runner's OIDC token endpoint answered HTTP ${res.status}`);
  const value = ((await res.json()) as { value?: unknown }).value;
  if (typeof value !== 'string' || !value) throw new Error('the runner\'s OIDC token endpoint answered without a token');
  return value;
}
