import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { classifyNetwork } from '../retry/classify.js';
import { certificateProblem, notTls, RegistryError } from './errors.js';

/**
 * One HTTP exchange over node:http/https rather than fetch: Node's fetch takes a CA per request only through
 * an undici Agent (`dispatcher`), and undici is not a dependency the bundle may import. node:https takes
 * `ca` per agent, reports the socket's own error codes, and lets a watchdog see a stall in either direction.
 */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  /** The whole exchange must end within this time. */
  timeoutMs: number;
  /** No byte in either direction for this long aborts the exchange. */
  stallMs: number;
  /** Larger answers are refused (a registry's JSON is small). */
  maxBodyBytes: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A network-level failure; `code` is Node's (ECONNRESET, ERR_SSL_…) or STALL / TIMEOUT / EOF. */
export class NetworkError extends RegistryError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message, classifyNetwork(code));
    this.name = 'NetworkError';
  }
}

/** Agents for one registry: keep-alive, and the registry's CA added to the default roots. */
export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

/** The default trust (system store where Node 24 exposes it) plus `ca`; Node's `ca` option replaces the roots otherwise. */
function trust(ca: string | undefined): string[] | undefined {
  if (!ca) return undefined;
  const getCa = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  const roots = getCa ? getCa('default') : [...tls.rootCertificates];
  return [...roots, ca];
}

export function createAgents(ca: string | undefined, verifyTls: boolean): Agents {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 8, ca: trust(ca), rejectUnauthorized: verifyTls }),
  };
}

function describe(req: HttpRequest): string {
  return `${req.method} ${req.url.origin}${req.url.pathname}`;
}

function networkError(req: HttpRequest, e: unknown): RegistryError {
  if (e instanceof RegistryError) return e;
  const err = e as NodeJS.ErrnoException;
  let code = err.code ?? 'EOF';
  if (err.message === 'socket hang up') code = 'ECONNRESET';
  let hint = '';
  if (certificateProblem(code)) hint = '; give the registry\'s CA certificate (`ca`) or list it as insecure';
  else if (notTls(code)) hint = '; the registry does not speak TLS here (plain HTTP needs it listed as insecure)';
  return new NetworkError(`${describe(req)}: ${err.message} (${code})${hint}`, code);
}

/** Sends one request and reads the whole answer, within the time-out and the stall watchdog. */
export function send(req: HttpRequest, agents: Agents): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const isHttps = req.url.protocol === 'https:';
    const headers: Record<string, string> = { 'user-agent': 'image-publish', ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    else if (req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH') headers['content-length'] = '0';
    let settled = false;
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      reject(networkError(req, e));
      r.destroy();
    };
    const options = { method: req.method, headers, agent: isHttps ? agents.https : agents.http };
    const r = isHttps ? https.request(req.url, options) : http.request(req.url, options);
    const deadline = setTimeout(() => fail(new NetworkError(`${describe(req)}: no complete answer within ${req.timeoutMs / 1000} s`, 'TIMEOUT')), req.timeoutMs);
    r.setTimeout(req.stallMs, () => fail(new NetworkError(`${describe(req)}: stalled, no byte moved for ${req.stallMs / 1000} s`, 'STALL')));
    r.on('error', fail);
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > req.maxBodyBytes) fail(new RegistryError(`${describe(req)}: the answer is larger than ${req.maxBodyBytes} bytes`, 'fatal'));
        else chunks.push(c);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(new NetworkError(`${describe(req)}: the answer was cut`, 'EOF')));
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) return fail(new NetworkError(`${describe(req)}: the answer was cut`, 'EOF'));
        settled = true;
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    r.end(req.body);
  });
}

/** A header's single value. */
export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}
