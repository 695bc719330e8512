/**
 * Per-request records for the bench relay: each request's method, path and client→server bytes (head and body),
 * with the status of the answer, for breaking a run's registry bytes down request by request. The answers are
 * followed (status line, Content-Length or chunked bodies, none for HEAD, 204 and 304) only to pair each with its
 * request; a stream that cannot be followed stops giving statuses (the record then has status 0).
 */
import { follower, framingOf, headerMap } from './frames.ts';

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

/** Follows one connection's answers (server→client) and pairs each with its request in `pending`. */
export function responseTracker(pending: Pending): (data: Buffer) => void {
  return follower({
    onHead(text) {
      const [statusLine, ...lines] = text.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!m) return 'lost';
      const status = Number(m[1]);
      if (status >= 100 && status < 200) return { length: 0 };
      const bodyless = pending.nextMethod() === 'HEAD' || status === 204 || status === 304;
      pending.answered(status);
      if (bodyless) return { length: 0 };
      const headers = headerMap(lines);
      // an answer without a length runs to the connection's end: nothing after it can be paired
      return headers.has('content-length') || /chunked/i.test(headers.get('transfer-encoding') ?? '') ? framingOf(headers) : 'lost';
    },
  });
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
