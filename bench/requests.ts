/**
 * Per-request records for the bench relay: each request's method, path and client→server bytes (head and body),
 * with the status of the answer, for breaking a run's registry bytes down request by request. The answers are
 * followed (status line, Content-Length or chunked bodies, none for HEAD, 204 and 304) only to pair each with its
 * request; a stream that cannot be followed stops giving statuses (the record then has status 0).
 */

export interface RequestRecord {
  method: string;
  path: string;
  /** Client→server bytes of this request: request line, headers and body. */
  bytes: number;
  /** The answer's status; 0 when the relay could not pair one. */
  status: number;
  /** Counted apart (the relay's `exclude`). */
  excluded: boolean;
}

const EMPTY = Buffer.alloc(0);

/** One connection's requests in order; `answered` pairs the next one with a status and hands it on. */
export class Pending {
  private readonly queue: RequestRecord[] = [];
  private readonly emit: (r: RequestRecord) => void;
  constructor(emit: (r: RequestRecord) => void) {
    this.emit = emit;
  }

  open(method: string, path: string, excluded: boolean): void {
    this.queue.push({ method, path, bytes: 0, status: 0, excluded });
  }

  /** Bytes of the request being sent (the newest). */
  add(n: number): void {
    const last = this.queue.at(-1);
    if (last) last.bytes += n;
  }

  /** The method of the oldest request not answered yet. */
  nextMethod(): string | undefined {
    return this.queue[0]?.method;
  }

  answered(status: number): void {
    const r = this.queue.shift();
    if (r) this.emit({ ...r, status });
  }

  /** The connection closed: requests left unanswered go with status 0. */
  flush(): void {
    while (this.queue.length) this.answered(0);
  }
}

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'lost';

/** Follows one connection's answers (server→client) and pairs each with its request in `pending`. */
export function responseTracker(pending: Pending): (data: Buffer) => void {
  let state: State = 'head';
  let buf: Buffer = EMPTY;
  let remaining = 0;
  return (chunk: Buffer) => {
    let data: Buffer = chunk;
    while (data.length > 0 && state !== 'lost') {
      if (state === 'body' || state === 'chunk-data' || state === 'chunk-end') {
        const n = Math.min(remaining, data.length);
        remaining -= n;
        data = data.subarray(n);
        if (remaining === 0) {
          if (state === 'body') state = 'head';
          else if (state === 'chunk-data') [state, remaining] = ['chunk-end', 2];
          else state = 'chunk-size';
        }
        continue;
      }
      buf = buf.length ? Buffer.concat([buf, data]) : data;
      data = EMPTY;
      const sep = state === 'head' ? '\r\n\r\n' : '\r\n';
      const end = buf.indexOf(sep);
      if (end < 0) return;
      const text = buf.subarray(0, end).toString('latin1');
      data = buf.subarray(end + sep.length);
      buf = EMPTY;
      if (state === 'chunk-size') {
        const size = parseInt(text.split(';')[0].trim(), 16);
        if (!Number.isFinite(size)) state = 'lost';
        else if (size === 0) state = 'trailer';
        else [state, remaining] = ['chunk-data', size];
        continue;
      }
      if (state === 'trailer') {
        if (text === '') state = 'head';
        continue;
      }
      const [statusLine, ...lines] = text.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!m) {
        state = 'lost';
        return;
      }
      const status = Number(m[1]);
      if (status >= 100 && status < 200) continue;
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const bodyless = pending.nextMethod() === 'HEAD' || status === 204 || status === 304;
      pending.answered(status);
      if (bodyless) continue;
      if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) state = 'chunk-size';
      else {
        const length = Number(headers.get('content-length') ?? 'NaN');
        if (!Number.isFinite(length)) state = 'lost';
        else if (length > 0) [state, remaining] = ['body', length];
      }
    }
  };
}

/** Records grouped by kind (method, path with the repository, digests and session ids folded, status), largest first. Pure. */
export function byKind(records: readonly RequestRecord[]): { kind: string; count: number; bytes: number }[] {
  const kinds = new Map<string, { kind: string; count: number; bytes: number }>();
  for (const r of records.filter((x) => !x.excluded)) {
    const kind = `${r.method} ${foldPath(r.path)} ${r.status}`;
    const k = kinds.get(kind) ?? { kind, count: 0, bytes: 0 };
    k.count++;
    k.bytes += r.bytes;
    kinds.set(kind, k);
  }
  return [...kinds.values()].sort((a, b) => b.bytes - a.bytes);
}

/** `/v2/bench/x/blobs/sha256:…` → `/v2/<repo>/blobs/<digest>`; upload sessions and tags likewise. Pure. */
export function foldPath(p: string): string {
  const [pathname, query] = p.split('?');
  const m = /^\/v2\/(.+?)\/(blobs\/uploads|blobs|manifests|tags\/list)(?:\/(.*))?$/.exec(pathname);
  if (!m) return pathname === '/v2/' ? '/v2/' : pathname.replace(/sha256:[0-9a-f]{64}/g, '<digest>');
  const [, , what, rest] = m;
  const ref = rest === undefined ? '' : what === 'blobs/uploads' ? (rest ? '/<session>' : '/') : /^sha256:/.test(rest) ? '/<digest>' : '/<tag>';
  const q = query ? `?${[...new URLSearchParams(query).keys()].join('&')}` : '';
  return `/v2/<repo>/${what}${ref}${q}`;
}
