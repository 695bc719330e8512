/**
 * The fallback writer and reader: `docker buildx imagetools`, used only when the native client cannot, which we
 * define narrowly: the registry refused our client (401/403) while the inputs give no login for it and the
 * runner's docker config holds credentials for it that the client does not use (an `identitytoken`, or a
 * credential helper, which may answer with one). docker then speaks with the runner's own config; no
 * credential passes through argv or our environment. Every other failure stays a failure.
 */
import { execute } from '../exec.js';
import type { ImageConfig } from '../oci/config.js';
import { mediaTypeOf } from '../registry/client.js';
import { digestOf } from '../oci/digest.js';
import { RegistryError } from '../registry/errors.js';
import type { RegistryLogin } from '../inputs/registry-auth.js';
import { dockerError } from '../engine/docker-error.js';
import { dockerOnlyCredentials, type DockerConfig } from '../engine/docker-config.js';
import { canonicalRegistry } from '../oci/name.js';
import { withRetry, type RetryPolicy } from '../retry/retry.js';
import type { LegReader } from './read.js';

const TIMEOUT_MS = 5 * 60 * 1000;

/** The narrow "native client cannot" test: refused (401/403), no login in the inputs, docker-only credentials at hand. Pure. */
export function useImagetools(error: unknown, registry: string, logins: readonly RegistryLogin[], config: DockerConfig): boolean {
  if (!(error instanceof RegistryError) || error.kind !== 'auth') return false;
  if (logins.some((l) => canonicalRegistry(l.registry) === registry)) return false;
  return dockerOnlyCredentials(config, registry);
}

/** argv of `imagetools inspect`: the raw manifest, or (format) the image config as JSON. Pure. */
export function inspectArgs(ref: string, what: 'raw' | 'config'): string[] {
  return ['buildx', 'imagetools', 'inspect', ...(what === 'raw' ? ['--raw'] : ['--format', '{{json .Image}}']), ref];
}

/** argv of `imagetools create`: index annotations, the targets (`name@digest` or `name:tag`), the sources by digest. Pure. */
export function createArgs(opts: { sources: readonly string[]; tags: readonly string[]; annotations?: Record<string, string>; dryRun?: boolean }): string[] {
  return [
    'buildx',
    'imagetools',
    'create',
    ...(opts.dryRun ? ['--dry-run'] : []),
    ...Object.entries(opts.annotations ?? {}).flatMap(([k, v]) => ['--annotation', `index:${k}=${v}`]),
    ...opts.tags.flatMap((t) => ['--tag', t]),
    '--',
    ...opts.sources,
  ];
}

export interface Imagetools {
  run(args: string[]): Promise<string>;
}

/** Runs docker with the runner's docker config; retries transient failures only (withRetry never retries auth). */
export function imagetools(dockerConfigDir: string, policy: RetryPolicy): Imagetools {
  return {
    async run(args) {
      let stdout = '';
      const res = await withRetry(async () => {
        const r = await execute('docker', args, { env: { DOCKER_CONFIG: dockerConfigDir }, timeoutMs: TIMEOUT_MS, tailLines: 10 });
        stdout = r.stdout;
        return { ok: r.code === 0, output: r.timedOut ? 'docker buildx imagetools timed out' : r.stderr + r.stdout };
      }, policy);
      if (!res.ok) {
        const status = res.kind === 'auth' ? 401 : undefined;
        throw new RegistryError(`docker ${args.slice(0, 3).join(' ')} failed after ${res.attempts} attempt(s): ${dockerError(res.output) ?? res.output.trim().split('\n').pop() ?? 'no output'}`, res.kind ?? 'fatal', status);
      }
      return stdout;
    },
  };
}

/** A LegReader through `imagetools inspect`: the raw manifest, and the config as docker shows it. */
export function imagetoolsReader(tools: Imagetools, name: string): LegReader {
  return {
    async manifest(digest) {
      let out: string;
      try {
        out = await tools.run(inspectArgs(`${name}@${digest}`, 'raw'));
      } catch (e) {
        if (e instanceof RegistryError && /not found|manifest unknown|404/i.test(e.message)) return undefined;
        throw e;
      }
      // --raw prints the stored bytes; some versions add a newline after them
      const bytes = [Buffer.from(out), Buffer.from(out.replace(/\n$/, ''))].find((b) => digestOf(b) === digest);
      if (!bytes) throw new RegistryError(`${name}@${digest}: docker showed a manifest of another digest`, 'fatal');
      return { mediaType: mediaTypeOf(undefined, bytes), bytes };
    },
    async config(manifestDigest) {
      return JSON.parse(await tools.run(inspectArgs(`${name}@${manifestDigest}`, 'config'))) as ImageConfig;
    },
  };
}

/** The index bytes buildx would push for these sources: its dry run prints them (and a newline). */
export async function imagetoolsIndex(tools: Imagetools, sources: readonly string[], annotations: Record<string, string>): Promise<{ bytes: Buffer; digest: string }> {
  const out = await tools.run(createArgs({ sources, tags: [], annotations, dryRun: true }));
  const bytes = Buffer.from(out.replace(/\n$/, ''));
  return { bytes, digest: digestOf(bytes) };
}
