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
  // every step that failed is a base image's resolve or pull: no RUN or COPY failed, so nothing but the pull is redone
  if (!pulls.length || pulls.some((p) => !p)) return undefined;
  const reason = [...output.matchAll(/^ERROR: (.*)$/gm)].pop()?.[1];
  if (!reason || classifyMessage(reason) !== 'transient') return undefined;
  const ref = (pulls[0]![1] ?? pulls[0]![2]).replace(/:$/, '');
  return { reason, registry: registryOf(ref) };
}
