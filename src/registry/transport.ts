import { apiHost } from './catalog.js';
import { Authenticator, type Credentials } from './auth.js';
import { classifyStatus, retryAfter } from '../retry/classify.js';
import { describeAnswer, notTls, RegistryError } from './errors.js';
import { errorDetails, isLoopbackHost } from './headers.js';
import { bodyLength, createAgents, header, NetworkError, send, type Agents, type HttpRequest, type HttpResponse, type RequestBody } from './http.js';

export interface TransportOptions {
  registry: string;
  credentials?: Credentials;
  ca?: string;
  insecure?: boolean;
  /** Time for a request without a body; bodies add time at `minBytesPerSecond`. */
  requestMs: number;
  stallMs: number;
  minBytesPerSecond: number;
}

export interface Exchange {
  method: HttpRequest['method'];
  /** A path on the registry (`/v2/…`) or an absolute URL it gave (an upload Location). */
  path: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Token scopes this request needs. */
  scopes: readonly string[];
  /** What the user would be doing: named in an auth failure. */
  action: 'read' | 'push';
  repo: string;
  /** Statuses that are answers rather than failures (e.g. 404 for a HEAD). */
  expect: readonly number[];
  maxBodyBytes?: number;
  /** The size of the answer when known: the time-out grows with it as it does with a body sent. */
  expectedBytes?: number;
  /** Takes the 2xx answer's body instead of holding it (see HttpRequest.sink). */
  sink?: HttpRequest['sink'];
}

export const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const PROBE_STALL_MS = 5000;

/**
 * How one registry is spoken to: the scheme (https; for loopback or an insecure registry, plain http when
 * the registry does not speak TLS, as the Docker engine does), credentials only to its own origin,
 * one re-authentication on 401, and redirects of reads followed without credentials to other origins.
 */
export class Transport {
  readonly host: string;
  private scheme?: 'https:' | 'http:';
  private readonly agents: Agents;
  private readonly elsewhere: Agents;
  private readonly auth: Authenticator;
  private readonly allowHttp: boolean;

  constructor(private readonly opts: TransportOptions) {
    this.host = apiHost(opts.registry);
    this.allowHttp = opts.insecure === true || isLoopbackHost(this.host);
    // an insecure registry's certificate is not checked, as the engine's insecure-registries does;
    // other hosts (token realms, blob storage) always are
    this.agents = createAgents(opts.ca, opts.insecure !== true);
    this.elsewhere = opts.insecure === true ? createAgents(opts.ca, true) : this.agents;
    this.auth = new Authenticator(opts.registry, opts.credentials, (url, headers) => this.raw({ method: 'GET', url, headers, body: undefined }, 64 * 1024));
  }

  get origin(): string {
    return `${this.scheme ?? 'https:'}//${this.host}`;
  }

  /** Frees the keep-alive connections. */
  close(): void {
    for (const a of [this.agents, this.elsewhere]) {
      a.http.destroy();
      a.https.destroy();
    }
  }

  private raw(r: Pick<HttpRequest, 'method' | 'url' | 'headers' | 'body' | 'sink'>, maxBodyBytes: number, expectedBytes = 0, stallMs = this.opts.stallMs): Promise<HttpResponse> {
    const bytes = bodyLength(r.body) + expectedBytes;
    const timeoutMs = this.opts.requestMs + Math.round((bytes / this.opts.minBytesPerSecond) * 1000);
    return send({ ...r, timeoutMs, stallMs, maxBodyBytes }, r.url.host === this.host ? this.agents : this.elsewhere);
  }

  /** Sends to the registry, settling the scheme on the first exchange. */
  private async toRegistry(x: Exchange, url: URL, headers: Record<string, string>): Promise<HttpResponse> {
    const probing = !this.scheme && this.allowHttp && url.protocol === 'https:' && url.host === this.host;
    try {
      // a plain-HTTP server may wait for a line that a TLS hello never sends: the probe gets a short watchdog
      const stallMs = probing ? Math.min(this.opts.stallMs, PROBE_STALL_MS) : undefined;
      const res = await this.raw({ method: x.method, url, headers, body: x.body, sink: x.sink }, x.maxBodyBytes ?? 4 * 1024 * 1024, x.expectedBytes, stallMs);
      if (url.host === this.host) this.scheme ??= url.protocol as 'https:' | 'http:';
      return res;
    } catch (e) {
      if (!probing || !(e instanceof NetworkError) || !(notTls(e.code) || e.code === 'STALL')) throw e;
      this.scheme = 'http:';
      return this.toRegistry(x, new URL(url.pathname + url.search, this.origin), headers);
    }
  }

  private credentialsGo(url: URL): boolean {
    return url.host === this.host && url.protocol === (this.scheme ?? 'https:');
  }

  /** One exchange with auth and redirects; a status outside `expect` and 2xx becomes a RegistryError. */
  async request(x: Exchange): Promise<HttpResponse> {
    let url = new URL(x.path, `${this.origin}/`);
    let authorization = this.credentialsGo(url) ? await this.auth.header(x.scopes) : undefined;
    const withAuth = (): Record<string, string> => ({ ...x.headers, ...(authorization && this.credentialsGo(url) ? { authorization } : {}) });
    let res = await this.toRegistry(x, url, withAuth());
    if (!x.path.startsWith('http')) url = new URL(x.path, `${this.origin}/`);
    if (res.status === 401 && this.credentialsGo(url)) {
      authorization = await this.auth.answer(res, x.scopes, this.origin);
      if (authorization === undefined) throw this.failure(x, res, this.opts.credentials ? 'the registry asks for a login this client cannot give' : 'the registry asks for a login and no credentials were found');
      res = await this.toRegistry(x, url, withAuth());
    }
    // reads are redirected to blob storage; a HEAD's redirect already answers it (a HEAD on a GET-signed URL may fail)
    for (let hops = 0; REDIRECTS.has(res.status) && x.method === 'GET' && hops < MAX_REDIRECTS; hops++) {
      const location = header(res, 'location');
      if (!location) break;
      url = new URL(location, url);
      // credentials never follow a redirect to another origin
      res = await this.raw({ method: x.method, url, headers: withAuth(), body: undefined, sink: x.sink }, x.maxBodyBytes ?? 4 * 1024 * 1024, x.expectedBytes);
    }
    if ((res.status >= 200 && res.status < 300) || x.expect.includes(res.status)) return res;
    throw this.failure(x, res);
  }

  private failure(x: Exchange, res: HttpResponse, why?: string): RegistryError {
    const details = x.method === 'HEAD' ? [] : errorDetails(res.body);
    const codes = details.map((d) => d.code);
    const kind = classifyStatus(res.status, codes);
    const answer = describeAnswer(res.status, details);
    const retryAfterMs = retryAfter(header(res, 'retry-after'), Date.now());
    const message =
      kind === 'auth'
        ? `cannot ${x.action} ${x.repo} on ${this.opts.registry}: check credentials (${answer}${why ? `; ${why}` : ''})`
        : `${x.method} ${x.repo} on ${this.opts.registry}: ${answer}`;
    return new RegistryError(message, kind, res.status, codes, retryAfterMs);
  }
}
