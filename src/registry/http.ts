import { createReadStream } from 'node:fs';
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
/** Bytes `start` to `end` (exclusive) of a file, sent as a request body without reading them into memory. */
export interface FileRange {
  file: string;
  start: number;
  end: number;
}

export type RequestBody = Buffer | FileRange;

/** How many bytes a body sends. Pure. */
export function bodyLength(body: RequestBody | undefined): number {
  if (!body) return 0;
  return Buffer.isBuffer(body) ? body.length : body.end - body.start;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: RequestBody;
  /** The whole exchange must end within this time. */
  timeoutMs: number;
  /** No byte in either direction for this long aborts the exchange. */
  stallMs: number;
  /** Larger answers are refused (a registry's JSON is small): the exchange stops at the first byte past it. */
  maxBodyBytes: number;
  /** Takes a 2xx answer's body chunk by chunk instead of holding it (a layer to disk); a throw stops the exchange. */
  sink?: (chunk: Buffer) => void;
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
    if (req.body) headers['content-length'] = String(bodyLength(req.body));
    else if (req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH') headers['content-length'] = '0';
    let settled = false;
    let upload: ReturnType<typeof createReadStream> | undefined;
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      reject(networkError(req, e));
      upload?.destroy();
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
      const status = res.statusCode ?? 0;
      const sink = status >= 200 && status < 300 ? req.sink : undefined;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (settled) return;
        try {
          // a sink checks its own size first, and says what it expected
          sink?.(c);
        } catch (e) {
          return fail(e);
        }
        if (size > req.maxBodyBytes) return fail(new RegistryError(`${describe(req)}: the answer is larger than ${req.maxBodyBytes} bytes`, 'fatal'));
        if (!sink) chunks.push(c);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(new NetworkError(`${describe(req)}: the answer was cut`, 'EOF')));
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) return fail(new NetworkError(`${describe(req)}: the answer was cut`, 'EOF'));
        settled = true;
        clearTimeout(deadline);
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    const body = req.body;
    if (body === undefined || Buffer.isBuffer(body) || body.end === body.start) r.end(Buffer.isBuffer(body) ? body : undefined);
    else {
      upload = createReadStream(body.file, { start: body.start, end: body.end - 1 });
      upload.on('error', fail);
      upload.pipe(r);
    }
  });
}

/** A header's single value. */
export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}
