/**
 * The one HTTP/1.1 stream follower of the bench relay, for both directions: message heads, then bodies by
 * Content-Length or chunked encoding. It only reads; the relay forwards the bytes untouched whatever it thinks.
 */

/** How the body after a head is framed: `length` bytes, chunked, or a stream this follower cannot follow. */
export type Framing = { length: number } | 'chunked' | 'lost';

export interface FrameHandlers {
  /** A message head (start line and header lines, without the blank line); says how its body is framed. */
  onHead(text: string): Framing;
  /** Every byte the follower attributes to the current message: its head, chunk lines and body. */
  onBytes?(n: number): void;
  /** Bytes after the stream was lost (or a head grew past `headLimit`): no longer attributed. */
  onLost?(n: number): void;
  headLimit?: number;
}

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'lost';

const EMPTY = Buffer.alloc(0);

/** Header lines into a map of lower-case names. Pure. */
export function headerMap(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) {
    const colon = l.indexOf(':');
    if (colon > 0) out.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
  }
  return out;
}

/** The framing the headers declare (a missing Content-Length is no body). Pure. */
export function framingOf(headers: ReadonlyMap<string, string>): Framing {
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) return 'chunked';
  const length = Number(headers.get('content-length') ?? '0');
  return Number.isFinite(length) && length >= 0 ? { length } : 'lost';
}

/** A follower of one connection's stream in one direction. */
export function follower(h: FrameHandlers): (data: Buffer) => void {
  let state: State = 'head';
  let pending: Buffer = EMPTY;
  let remaining = 0;
  const count = (n: number): void => h.onBytes?.(n);
  const lose = (n: number): void => {
    state = 'lost';
    if (n > 0) h.onLost?.(n);
  };
  return (chunk: Buffer) => {
    let data: Buffer = chunk;
    while (data.length > 0) {
      if (state === 'lost') return lose(data.length);
      if (state === 'body' || state === 'chunk-data' || state === 'chunk-end') {
        const n = Math.min(remaining, data.length);
        count(n);
        remaining -= n;
        data = data.subarray(n);
        if (remaining === 0) {
          if (state === 'body') state = 'head';
          else if (state === 'chunk-data') [state, remaining] = ['chunk-end', 2];
          else state = 'chunk-size';
        }
        continue;
      }
      // line-based states: head (up to a blank line), chunk-size and trailer (one line each)
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      data = EMPTY;
      const sep = state === 'head' ? '\r\n\r\n' : '\r\n';
      const end = pending.indexOf(sep);
      if (end < 0) {
        if (pending.length > (h.headLimit ?? 256 * 1024)) [pending] = [EMPTY, lose(pending.length)];
        return;
      }
      const unit = pending.subarray(0, end + sep.length);
      data = pending.subarray(end + sep.length);
      pending = EMPTY;
      const text = unit.subarray(0, end).toString('latin1');
      if (state === 'chunk-size') {
        count(unit.length);
        const size = parseInt(text.split(';')[0].trim(), 16);
        if (!Number.isFinite(size)) lose(0);
        else if (size === 0) state = 'trailer';
        else [state, remaining] = ['chunk-data', size];
        continue;
      }
      if (state === 'trailer') {
        count(unit.length);
        if (text === '') state = 'head';
        continue;
      }
      const framing = h.onHead(text);
      if (framing === 'lost') {
        lose(unit.length);
        continue;
      }
      count(unit.length);
      if (framing === 'chunked') state = 'chunk-size';
      else if (framing.length > 0) [state, remaining] = ['body', framing.length];
    }
  };
}
