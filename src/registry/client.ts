import type { RetryPolicy } from '../retry/retry.js';
import type { Credentials } from './auth.js';
import { digestOf, isDigest, verifyDigest } from '../oci/digest.js';
import { MANIFEST_TYPES, MEDIA } from '../oci/media.js';
import { bytesText, LIMITS } from '../untrusted/limits.js';
import { BlobSink, checkData, sized, type BlobData } from './blob.js';
import { RegistryError } from './errors.js';
import { nextLink, repositoryScope } from './headers.js';
import { header, type HttpResponse } from './http.js';
import { retrying } from './retry.js';
import { REDIRECTS, Transport, type Exchange } from './transport.js';
import { startUpload, uploadAttempt, uploadLocation, type UploadState } from './upload.js';

export type { Credentials } from './auth.js';
export type { BlobData } from './blob.js';
export { RegistryError } from './errors.js';

export interface ClientOptions {
  /** Canonical registry host[:port] as src/oci/name.ts gives it ('docker.io' means registry-1.docker.io). */
  registry: string;
  /** Basic, or sent to the token service for a Bearer token. */
  credentials?: Credentials;
  /** PEM trusted for this registry in addition to the default roots. */
  ca?: string;
  /**
   * Plain HTTP allowed, and the certificate not checked, as the engine's insecure-registries. Loopback
   * registries (127.0.0.0/8, ::1, localhost) may speak plain HTTP without it, but their certificate is checked.
   * Either way https is tried first, and plain HTTP only when the registry does not speak TLS.
   */
  insecure?: boolean;
  policy: RetryPolicy;
  /** Each retry and its cause. */
  log?: (message: string) => void;
  /** Watchdogs; the defaults suit CI runners. */
  timeouts?: { requestMs?: number; stallMs?: number; minBytesPerSecond?: number };
  /** Chunk size when the registry needs chunked uploads. */
  chunkBytes?: number;
}

export interface BlobRef {
  digest: string;
  size: number;
  mediaType?: string;
}

export interface ClientStats {
  bytesUploaded: number;
  blobsUploaded: number;
  blobsMounted: number;
  blobsExisting: number;
  retries: number;
  /** Uploads that went on from the offset the registry reported after a cut. */
  uploadsResumed: number;
}

/** A client of one registry's distribution API: reads manifests and small blobs, pushes blobs and manifests. */
export class RegistryClient {
  readonly stats: ClientStats = { bytesUploaded: 0, blobsUploaded: 0, blobsMounted: 0, blobsExisting: 0, retries: 0, uploadsResumed: 0 };
  private readonly transport: Transport;
  /** `repo@digest` of blobs this client saw in a repository in this run (answered, mounted or uploaded): asked once. */
  private readonly present = new Set<string>();

  constructor(private readonly opts: ClientOptions) {
    this.transport = new Transport({
      registry: opts.registry,
      credentials: opts.credentials,
      ca: opts.ca,
      insecure: opts.insecure,
      requestMs: opts.timeouts?.requestMs ?? 60 * 1000,
      stallMs: opts.timeouts?.stallMs ?? 30 * 1000,
      minBytesPerSecond: opts.timeouts?.minBytesPerSecond ?? 256 * 1024,
    });
  }

  /** Frees kept-alive connections (idle ones never hold the process open). */
  close(): void {
    this.transport.close();
  }

  private retry<T>(op: () => Promise<T>): Promise<T> {
    return retrying(op, this.opts.policy, (message) => {
      this.stats.retries++;
      this.opts.log?.(message);
    });
  }

  private call(x: Exchange): Promise<HttpResponse> {
    return this.retry(() => this.transport.request(x));
  }

  private pull(repo: string): string[] {
    return [repositoryScope(repo, ['pull'])];
  }

  async getManifest(repo: string, ref: string): Promise<{ mediaType: string; digest: string; bytes: Buffer }> {
    const res = await this.call({ method: 'GET', path: `/v2/${repo}/manifests/${ref}`, headers: { accept: MANIFEST_TYPES.join(', ') }, scopes: this.pull(repo), action: 'read', repo, expect: [], maxBodyBytes: LIMITS.manifestBytes });
    const claimed = header(res, 'docker-content-digest');
    const digest = isDigest(ref) ? ref : claimed && isDigest(claimed) ? claimed : digestOf(res.body);
    verifyDigest(digest, res.body, `manifest ${repo}:${ref} on ${this.opts.registry}`);
    if (claimed && isDigest(ref) && claimed !== ref) throw new RegistryError(`manifest ${repo}@${ref} on ${this.opts.registry}: the registry says its digest is ${claimed}`, 'fatal');
    return { mediaType: mediaTypeOf(header(res, 'content-type'), res.body), digest, bytes: res.body };
  }

  async headManifest(repo: string, ref: string): Promise<{ mediaType: string; digest: string; size: number } | undefined> {
    const res = await this.call({ method: 'HEAD', path: `/v2/${repo}/manifests/${ref}`, headers: { accept: MANIFEST_TYPES.join(', ') }, scopes: this.pull(repo), action: 'read', repo, expect: [404] });
    if (res.status === 404) return undefined;
    const digest = header(res, 'docker-content-digest');
    if (!digest || !isDigest(digest) || (isDigest(ref) && digest !== ref)) {
      // a registry that does not say the digest on HEAD: read it and hash it
      const m = await this.getManifest(repo, ref);
      return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
    }
    return { mediaType: mediaTypeOf(header(res, 'content-type'), Buffer.alloc(0)), digest, size: Number(header(res, 'content-length') ?? 0) };
  }

  /**
   * A small blob's bytes in memory (a config, an attestation: JSON), digest verified; at most LIMITS.jsonBlobBytes,
   * or `size` (the descriptor's) when given, which the answer must then match. Layers go to disk: downloadBlob.
   */
  async getBlob(repo: string, digest: string, size?: number): Promise<Buffer> {
    const what = `blob ${digest} of ${repo} on ${this.opts.registry}`;
    if (size !== undefined && size > LIMITS.jsonBlobBytes) {
      throw new RegistryError(`${what}: its descriptor declares ${size} bytes, more than the ${bytesText(LIMITS.jsonBlobBytes)} this action holds in memory for a config`, 'fatal');
    }
    const maxBodyBytes = size ?? LIMITS.jsonBlobBytes;
    const res = await this.call({ method: 'GET', path: `/v2/${repo}/blobs/${digest}`, scopes: this.pull(repo), action: 'read', repo, expect: [], maxBodyBytes, expectedBytes: size });
    if (size !== undefined && res.body.length !== size) throw new RegistryError(`${what}: the registry sent ${res.body.length} bytes where the descriptor declares ${size}`, 'fatal');
    verifyDigest(digest, res.body, what);
    return res.body;
  }

  /**
   * A blob (a layer) streamed into `file` while it is hashed: never held in memory, stopped at the first byte past
   * the declared size, and refused when it is short or hashes to another digest. Each attempt starts the file anew.
   */
  async downloadBlob(repo: string, blob: { digest: string; size: number }, file: string): Promise<void> {
    await this.fetchBlob(repo, blob, file, []); // a 404 is a failure here
  }

  /** As downloadBlob, but false when the repository does not hold the blob: one GET, where a HEAD then a GET would be two. */
  async downloadBlobIfPresent(repo: string, blob: { digest: string; size: number }, file: string): Promise<boolean> {
    return this.fetchBlob(repo, blob, file, [404]);
  }

  private async fetchBlob(repo: string, blob: { digest: string; size: number }, file: string, expect: readonly number[]): Promise<boolean> {
    const what = `blob ${blob.digest} of ${repo} on ${this.opts.registry}`;
    const found = await this.retry(async () => {
      const sink = new BlobSink(file, blob, what);
      try {
        // the sink stops a blob at its declared size; the limit here only bounds a 404's error body
        const res = await this.transport.request({ method: 'GET', path: `/v2/${repo}/blobs/${blob.digest}`, scopes: this.pull(repo), action: 'read', repo, expect, maxBodyBytes: Math.max(blob.size, 64 * 1024), expectedBytes: blob.size, sink: sink.write });
        if (res.status === 404) return false;
        sink.finish();
        return true;
      } finally {
        sink.close();
      }
    });
    if (found) this.present.add(blobKey(repo, blob.digest));
    return found;
  }

  /** Whether the repository holds the blob: a HEAD, unless this client saw it there already in this run. */
  async hasBlob(repo: string, digest: string, action: 'read' | 'push' = 'read', scopes: readonly string[] = this.pull(repo)): Promise<boolean> {
    if (this.present.has(blobKey(repo, digest))) return true;
    const res = await this.call({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, scopes, action, repo, expect: [404, ...REDIRECTS] });
    if (res.status === 404) return false;
    this.present.add(blobKey(repo, digest));
    return true;
  }

  /**
   * Puts a blob up unless the repository has it: HEAD first (none when this client saw it there in this run, or
   * when the caller knows it is `absent`), then a cross-repository mount from each candidate on this registry,
   * else an upload that a cut connection resumes from the registry's offset.
   */
  async pushBlob(repo: string, blob: BlobRef, data: () => BlobData, mountFrom: string[] = [], absent = false): Promise<'exists' | 'mounted' | 'uploaded'> {
    const sources = [...new Set(mountFrom)].filter((s) => s !== repo);
    const scopes = [repositoryScope(repo, ['pull', 'push']), ...sources.map((s) => repositoryScope(s, ['pull']))];
    if (!absent && (await this.hasBlob(repo, blob.digest, 'push', scopes))) {
      this.stats.blobsExisting++;
      return 'exists';
    }
    const state: UploadState = { chunked: false, sent: 0 };
    for (const from of sources) {
      const path = `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`;
      let res: HttpResponse;
      try {
        res = await this.call({ method: 'POST', path, scopes, action: 'push', repo, expect: [] });
      } catch (e) {
        // a source we may not read, or a registry without mounts: the upload below says what is really wrong
        if (!(e instanceof RegistryError) || e.kind === 'transient') throw e;
        this.opts.log?.(`${this.opts.registry}: no mount of ${blob.digest} from ${from} (${e.message}); uploading it`);
        continue;
      }
      if (res.status === 201) {
        this.present.add(blobKey(repo, blob.digest));
        this.stats.blobsMounted++;
        return 'mounted';
      }
      // 202: the registry opened an upload session instead; the last one serves the upload
      state.location = uploadLocation(res, `mount of ${blob.digest}`);
      state.fresh = true;
    }
    const bytes = sized(data());
    await checkData(bytes, blob, `blob ${blob.digest} for ${repo}`);
    const target = { transport: this.transport, repo, digest: blob.digest, data: bytes, scopes, chunkBytes: this.opts.chunkBytes ?? 8 * 1024 * 1024 };
    if (!state.location) {
      state.location = await this.retry(() => startUpload(target));
      state.fresh = true;
    }
    await this.retry(() => uploadAttempt(target, state));
    if (state.resumedAt !== undefined) {
      this.stats.uploadsResumed++;
      this.opts.log?.(`${this.opts.registry}: upload of ${blob.digest} resumed at byte ${state.resumedAt} of ${blob.size}`);
    }
    this.present.add(blobKey(repo, blob.digest));
    this.stats.bytesUploaded += state.sent;
    this.stats.blobsUploaded++;
    return 'uploaded';
  }

  /** Puts a manifest under a digest or a tag; returns the digest the registry reports, checked against the bytes. */
  async putManifest(repo: string, ref: string, mediaType: string, bytes: Buffer): Promise<string> {
    const own = digestOf(bytes);
    if (isDigest(ref)) verifyDigest(ref, bytes, `manifest for ${repo}@${ref}`);
    const res = await this.call({
      method: 'PUT',
      path: `/v2/${repo}/manifests/${ref}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [repositoryScope(repo, ['pull', 'push'])],
      action: 'push',
      repo,
      expect: [],
    });
    const reported = header(res, 'docker-content-digest') ?? own;
    if (reported !== own) throw new RegistryError(`manifest ${repo}:${ref} on ${this.opts.registry}: the registry reports digest ${reported}, the bytes hash to ${own}`, 'fatal');
    return reported;
  }

  /**
   * `DELETE /v2/<repo>/manifests/<digest>` (distribution also drops the tags that name it); false when the registry
   * has no such manifest. A registry that does not delete answers 405/UNSUPPORTED or 403: a RegistryError, not retried.
   */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    if (!isDigest(digest)) throw new RegistryError(`delete of ${repo}: "${digest}" is not a digest`, 'fatal');
    const res = await this.call({ method: 'DELETE', path: `/v2/${repo}/manifests/${digest}`, scopes: [repositoryScope(repo, ['pull', 'push', 'delete'])], action: 'push', repo, expect: [404] });
    return res.status !== 404;
  }

  /** `GET /v2/<repo>/referrers/<digest>` as answered (404 included): the caller decides what the registry serves. */
  async referrers(repo: string, digest: string): Promise<{ status: number; mediaType?: string; body: Buffer }> {
    const res = await this.call({ method: 'GET', path: `/v2/${repo}/referrers/${digest}`, headers: { accept: MANIFEST_TYPES[0] }, scopes: this.pull(repo), action: 'read', repo, expect: [400, 404, 405, 406], maxBodyBytes: LIMITS.manifestBytes });
    return { status: res.status, mediaType: header(res, 'content-type')?.split(';')[0].trim(), body: res.body };
  }

  /** Every tag of a repository ([] for a repository the registry does not know), following Link on the same origin only. */
  async listTags(repo: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repo}/tags/list?n=1000`;
    for (let page = 0; path && page < 100; page++) {
      const res = await this.call({ method: 'GET', path, scopes: this.pull(repo), action: 'read', repo, expect: [404] });
      if (res.status === 404) return tags;
      const body = JSON.parse(res.body.toString()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      path = nextLink(header(res, 'link'), new URL(path, `${this.transport.origin}/`).toString());
    }
    return tags;
  }
}

const blobKey = (repo: string, digest: string): string => `${repo}@${digest}`;

/** The manifest's media type: the Content-Type, else the document's own mediaType field. Pure. */
export function mediaTypeOf(contentType: string | undefined, body: Buffer): string {
  const type = contentType?.split(';')[0].trim();
  if (type && type !== 'application/json' && type !== 'text/plain') return type;
  try {
    const doc = JSON.parse(body.toString()) as { mediaType?: unknown; manifests?: unknown };
    if (typeof doc.mediaType === 'string') return doc.mediaType;
    return doc.manifests ? MEDIA.ociIndex : MEDIA.ociManifest;
  } catch {
    return type ?? MEDIA.ociManifest;
  }
}
