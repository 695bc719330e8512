import { classifyStatus } from '../retry/classify.js';
import { describeAnswer, RegistryError } from './errors.js';
import { errorDetails, mergeScopes, parseChallenges, pickChallenge, realmAllowed } from './headers.js';
import { header, type HttpResponse } from './http.js';

export interface Credentials {
  username: string;
  password: string;
}

/** Sends a GET to a token realm (another origin maybe); the caller applies time-outs and TLS trust. */
export type TokenFetch = (url: URL, headers: Record<string, string>) => Promise<HttpResponse>;

interface Token {
  value: string;
  expiresAt: number;
}

const DEFAULT_TOKEN_LIFETIME_S = 60;

function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/**
 * What a registry asked for and what it gave: Basic once it asked for it, Bearer tokens cached per
 * scope set. Holds secrets: never logged, never part of an error message.
 */
export class Authenticator {
  private basic = false;
  private bearer?: { realm: URL; service?: string };
  private readonly tokens = new Map<string, Token>();

  constructor(
    private readonly registry: string,
    private readonly credentials: Credentials | undefined,
    private readonly fetchToken: TokenFetch,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Authorization to send up front for these scopes, from what the registry asked for before. */
  async header(scopes: readonly string[]): Promise<string | undefined> {
    if (this.basic) return this.credentials && basicHeader(this.credentials);
    if (!this.bearer) return undefined;
    const key = mergeScopes(scopes).join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.value}`;
    return `Bearer ${await this.token(mergeScopes(scopes))}`;
  }

  /**
   * Answers a 401 challenge with fresh credentials for these scopes (plus the ones the challenge names).
   * Undefined when there is nothing to answer with: no credentials for Basic, or an unknown scheme.
   */
  async answer(res: HttpResponse, scopes: readonly string[], registryOrigin: string): Promise<string | undefined> {
    const challenge = pickChallenge(parseChallenges(header(res, 'www-authenticate') ?? ''));
    if (challenge?.scheme === 'basic') {
      if (!this.credentials) return undefined;
      this.basic = true;
      return basicHeader(this.credentials);
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) return undefined;
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch {
      throw new RegistryError(`${this.registry} names a token realm that is not a URL`, 'fatal');
    }
    if (!realmAllowed(realm, registryOrigin)) {
      throw new RegistryError(`${this.registry} sends its token requests to ${realm.origin} over plain HTTP on another host; credentials are not sent there`, 'auth');
    }
    this.basic = false;
    this.bearer = { realm, service: challenge.params.service };
    const all = mergeScopes([...scopes, challenge.params.scope ?? '']);
    const token = await this.token(all);
    // later requests for the scopes the caller asked for find this token too
    this.tokens.set(mergeScopes(scopes).join(' '), this.tokens.get(all.join(' '))!);
    return `Bearer ${token}`;
  }

  private async token(scopes: readonly string[]): Promise<string> {
    const { realm, service } = this.bearer!;
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const res = await this.fetchToken(url, this.credentials ? { authorization: basicHeader(this.credentials) } : {});
    if (res.status !== 200) {
      const details = errorDetails(res.body);
      const kind = classifyStatus(res.status, details.map((d) => d.code));
      throw new RegistryError(`the token service of ${this.registry} (${realm.origin}) answered ${describeAnswer(res.status, details)}`, kind, res.status, details.map((d) => d.code));
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(res.body.toString()) as typeof body;
    } catch {
      throw new RegistryError(`the token service of ${this.registry} answered something that is not JSON`, 'fatal');
    }
    const value = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!value) throw new RegistryError(`the token service of ${this.registry} gave no token`, 'fatal');
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    this.tokens.set(scopes.join(' '), { value, expiresAt: this.now() + Math.max(lifetime - 10, 5) * 1000 });
    return value;
  }
}
