import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

/**
 * A Bearer-token registry on 127.0.0.1, as Docker Hub and GHCR work: `/token` checks Basic credentials
 * and hands out tokens for the scopes asked; `/v2/…` demands a token whose scopes cover the request
 * (pull for reads, push for writes, pull on `from` for a mount) and relays to a real registry with
 * that registry's own Basic credentials. It records every token request.
 */
export class TokenProxy {
  private server?: http.Server;
  private readonly tokens = new Map<string, Set<string>>();
  /** The scopes of each token request, in order. */
  readonly tokenRequests: string[][] = [];
  /** Requests refused for a missing or too narrow token. */
  challenged = 0;
  port = 0;

  constructor(
    private readonly upstream: { host: string; port: number; authorization: string },
    private readonly user: string,
    private readonly password: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private challenge(res: http.ServerResponse, scope: string): void {
    this.challenged++;
    res.writeHead(401, {
      'www-authenticate': `Bearer realm="http://${this.address}/token",service="token-proxy.test",scope="${scope}",error="insufficient_scope"`,
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  }

  private token(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const basic = `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`;
    if (req.headers.authorization !== basic) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    this.tokenRequests.push(scopes);
    const granted = new Set<string>();
    for (const s of scopes) {
      const cut = s.lastIndexOf(':');
      for (const a of s.slice(cut + 1).split(',')) granted.add(`${s.slice(0, cut)}:${a}`);
    }
    const token = randomBytes(16).toString('hex');
    this.tokens.set(token, granted);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: 300 }));
  }

  /** The grants a request needs: `repository:<name>:pull|push`. */
  private static needs(method: string, url: URL): string[] {
    const m = /^\/v2\/(.+?)\/(blobs|manifests|tags)\//.exec(url.pathname);
    if (!m) return [];
    const needs = [`repository:${m[1]}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'push'}`];
    const from = url.searchParams.get('from');
    if (from) needs.push(`repository:${from}:pull`);
    return needs;
  }

  private relay(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = token ? this.tokens.get(token) : undefined;
    const needs = TokenProxy.needs(req.method ?? 'GET', url);
    const missing = needs.find((n) => !granted?.has(n));
    if (!granted || missing) return this.challenge(res, missing ? `${missing}` : 'registry:catalog:*');
    const up = http.request(
      { host: this.upstream.host, port: this.upstream.port, method: req.method, path: req.url, headers: { ...req.headers, authorization: this.upstream.authorization } },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${this.address}`);
      if (url.pathname === '/token') this.token(req, res, url);
      else this.relay(req, res, url);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
