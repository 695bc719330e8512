import { dataLength, dataPart, type SizedData } from './blob.js';
import { RegistryError } from './errors.js';
import { resumeOffset } from './headers.js';
import { header, type HttpResponse, type RequestBody } from './http.js';
import type { Transport } from './transport.js';

/** Where an upload stands between attempts: its session URL, and whether the registry wants chunks. */
export interface UploadState {
  location?: string;
  chunked: boolean;
  /** Bytes of blob data the registry accepted in this push (counted once per byte range sent). */
  sent: number;
  /** Set when the registry or a cut made us resume from a Range offset (for the stats and the log). */
  resumedAt?: number;
  /** The session was just opened and holds nothing yet: no need to ask it how far it got. */
  fresh?: boolean;
}

export interface UploadTarget {
  transport: Transport;
  repo: string;
  digest: string;
  data: SizedData;
  scopes: readonly string[];
  chunkBytes: number;
}

/** The session URL a POST/PATCH answered with. */
export function uploadLocation(res: HttpResponse, what: string): string {
  const location = header(res, 'location');
  if (!location) throw new RegistryError(`${what}: the registry gave no upload Location`, 'fatal');
  return location;
}

/** The session URL with `digest=` added, whatever query it already has. Pure. */
export function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** Opens an upload session. */
export async function startUpload(t: UploadTarget): Promise<string> {
  const res = await t.transport.request({ method: 'POST', path: `/v2/${t.repo}/blobs/uploads/`, scopes: t.scopes, action: 'push', repo: t.repo, expect: [] });
  return uploadLocation(res, `upload of ${t.digest}`);
}

/** How far a cut upload got, from the registry's Range; the session is gone when it answers 404. */
async function uploadStatus(t: UploadTarget, location: string): Promise<{ location: string; offset: number } | undefined> {
  const res = await t.transport.request({ method: 'GET', path: location, scopes: t.scopes, action: 'push', repo: t.repo, expect: [404] });
  if (res.status === 404) return undefined;
  return { location: header(res, 'location') ?? location, offset: resumeOffset(header(res, 'range')) ?? 0 };
}

async function patchFrom(t: UploadTarget, state: UploadState, offset: number): Promise<void> {
  const size = dataLength(t.data);
  while (offset < size) {
    const end = Math.min(offset + t.chunkBytes, size);
    const res = await t.transport.request({
      method: 'PATCH',
      path: state.location!,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}` },
      body: dataPart(t.data, offset, end),
      scopes: t.scopes,
      action: 'push',
      repo: t.repo,
      expect: [416],
    });
    if (res.status === 416) {
      // the registry holds another offset than it reported: only this blob starts again
      state.location = undefined;
      throw new RegistryError(`upload of ${t.digest}: the registry refused the range ${offset}-${end - 1}; starting this blob again`, 'transient', 416);
    }
    state.location = uploadLocation(res, `upload of ${t.digest}`);
    state.sent += end - offset;
    offset = end;
  }
}

async function finish(t: UploadTarget, state: UploadState, body: RequestBody | undefined): Promise<HttpResponse> {
  return t.transport.request({
    method: 'PUT',
    path: withDigest(state.location!, t.digest),
    headers: body ? { 'content-type': 'application/octet-stream' } : {},
    body,
    scopes: t.scopes,
    action: 'push',
    repo: t.repo,
    expect: [413],
  });
}

/**
 * One attempt at putting the blob's bytes up. A session left by a cut attempt is resumed from the offset
 * the registry reports; without one (or when the registry forgot it) the blob starts again. One PUT with
 * Content-Length first; chunked PATCHes when the registry refuses a body that large (413) or needs chunks.
 */
export async function uploadAttempt(t: UploadTarget, state: UploadState): Promise<void> {
  let offset = 0;
  if (state.location && !state.fresh) {
    const status = await uploadStatus(t, state.location);
    if (status) {
      state.location = status.location;
      offset = status.offset;
      if (offset > 0) state.resumedAt = offset;
    } else state.location = undefined;
  }
  state.location ??= await startUpload(t);
  state.fresh = false;
  if (!state.chunked && offset === 0) {
    const res = await finish(t, state, dataPart(t.data, 0, dataLength(t.data)));
    if (res.status !== 413) {
      state.sent += dataLength(t.data);
      return checkAnswer(t, res);
    }
    state.chunked = true;
    state.location = await startUpload(t);
  }
  await patchFrom(t, state, offset);
  checkAnswer(t, await finish(t, state, undefined));
}

function checkAnswer(t: UploadTarget, res: HttpResponse): void {
  const digest = header(res, 'docker-content-digest');
  if (digest && digest !== t.digest) throw new RegistryError(`upload of ${t.digest}: the registry stored it as ${digest}`, 'fatal');
}
