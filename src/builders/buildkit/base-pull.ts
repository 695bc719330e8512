import { classifyMessage } from '../../retry/classify.js';

/** BuildKit's summary of a failed step, between dashes: ` > [internal] load metadata for X:`, ` > [2/3] RUN …:`. */
const FAILED_VERTEX = /^\s*> \[([^\]]*)\] (.*?):?\s*$/gm;

/** The registry host of an image reference as BuildKit prints it (`127.0.0.1:5000/base/jre:17`, `eclipse-temurin:17`). Pure. */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0];
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/**
 * When a build failed only while resolving or pulling a base image, and for a transient reason (a reset or cut
 * connection, EOF, a time-out, 5xx, 429): BuildKit's error line and the base's registry. Undefined for anything
 * else, a failed RUN or COPY step, a refused pull (401/403), an unknown image. Pure.
 */
export function basePullFailure(output: string): { reason: string; registry: string } | undefined {
  const vertices = [...output.matchAll(FAILED_VERTEX)].map((m) => `${m[1]}] ${m[2]}`);
  const pulls = vertices.map((v) => /^(?:internal\] load metadata for (\S+)|[^\]]*\] FROM (\S+))/.exec(v));
  const reason = [...output.matchAll(/^ERROR: (.*)$/gm)].pop()?.[1];
  if (!vertices.length || !reason || classifyMessage(reason) !== 'transient') return undefined;
  // every step that failed is a base image's resolve or pull: no RUN or COPY failed, so nothing but the pull is redone
  if (pulls.every((p) => p)) return { reason, registry: registryOf((pulls[0]![1] ?? pulls[0]![2]).replace(/:$/, '')) };
  // a base pinned by digest (a named context) is pulled by the first step that needs its layers: that step failed
  // on fetching a layer, so its own command never ran
  const blob = BLOB_FETCH.exec(reason);
  return blob ? { reason, registry: blob[1] } : undefined;
}

/** BuildKit's words for a failed fetch of a registry blob, with the registry's host. */
const BLOB_FETCH = /^failed to solve: (?:failed to compute cache key: )?failed to copy: httpReadSeeker: failed open: [^\n]*?https?:\/\/([^/\s"]+)\/v2\/[^\s"]+\/blobs\/sha256:[0-9a-f]+/;
