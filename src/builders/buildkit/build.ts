import { existsSync, readFileSync } from 'node:fs';
import { StageError, type Annotation } from '../../errors.js';
import { dockerfileProblem } from '../../report/problems.js';
import { execute, type ExecResult } from '../../exec.js';
import { withRetry, type RetryPolicy } from '../../retry/retry.js';
import { buildEnv, buildxArgs, dockerBuildArgs, type BuildSpec } from './args.js';
import { basePullFailure } from './base-pull.js';

const BUILD_TIMEOUT_MS = 60 * 60 * 1000;

export interface BuildResult {
  imageId: string;
  /** The config digest BuildKit reports, when it does. */
  configDigest?: string;
  /** The manifest digest BuildKit reports (`containerimage.digest`), when it does. */
  manifestDigest?: string;
  builder: 'buildx' | 'docker build';
}

/** True when the buildx plugin answers; the caller warns and falls back otherwise. */
export async function hasBuildx(dockerEnv: Record<string, string>): Promise<boolean> {
  const r = await execute('docker', ['buildx', 'version'], { env: dockerEnv, timeoutMs: 30 * 1000 }).catch(() => undefined);
  return r?.code === 0;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Builds the image once; `dockerfileRel` is the Dockerfile's path from the workspace, for annotations. A build that
 * failed only in resolving or pulling a base image, for a transient reason, runs again within the retry policy:
 * nothing else ran, and what BuildKit fetched is kept. Any other failure is final.
 */
export async function buildImage(spec: BuildSpec, useBuildx: boolean, dockerEnv: Record<string, string>, dockerfileRel: string, policy: RetryPolicy): Promise<BuildResult> {
  const args = useBuildx ? buildxArgs(spec) : dockerBuildArgs(spec);
  const env = { ...dockerEnv, ...buildEnv(spec), ...(useBuildx ? {} : { DOCKER_BUILDKIT: '1' }) };
  let res: ExecResult | undefined;
  let scope: string | undefined;
  await withRetry(
    async () => {
      res = await execute('docker', args, { env, timeoutMs: BUILD_TIMEOUT_MS, stream: true, tailLines: 25 });
      if (res.code === 0) return { ok: true, output: '' };
      const pull = res.timedOut ? undefined : basePullFailure(`${res.stdout}\n${res.stderr}`);
      scope = pull?.registry;
      return { ok: false, output: pull?.reason ?? 'the build failed' };
    },
    { ...policy, onRetry: (n, reason, wait) => policy.onRetry(n, `pulling the base image: ${reason}`, wait, scope) },
  );
  if (!res) throw new StageError('image', 'The image build did not run.');
  if (res.code !== 0) {
    const why = res.timedOut ? `timed out after ${BUILD_TIMEOUT_MS / 60000} minutes` : `failed (exit code ${res.code})`;
    const at = dockerfileProblem(`${res.stdout}\n${res.stderr}`);
    const annotations: Annotation[] = at ? [{ severity: 'error', message: at.message, file: dockerfileRel, line: at.line, title: 'image build' }] : [];
    throw new StageError('image', `The image build ${why}. Check the Dockerfile given in \`file\` and the \`context\`. Last lines:\n${res.tail.join('\n')}`, res.tail, annotations);
  }
  // the engine's own ID (what `docker images` shows); the iidfile can hold the config digest instead
  const inspected = spec.tags[0] ? await execute('docker', ['image', 'inspect', '--format', '{{.Id}}', '--', spec.tags[0]], { env: dockerEnv, timeoutMs: 30 * 1000 }).catch(() => undefined) : undefined;
  const imageId = inspected?.code === 0 ? inspected.stdout.trim() : existsSync(spec.iidFile) ? readFileSync(spec.iidFile, 'utf8').trim() : '';
  const meta = useBuildx ? readJson(spec.metadataFile) : {};
  const text = (k: string): string | undefined => (typeof meta[k] === 'string' ? meta[k] : undefined);
  return { imageId, configDigest: text('containerimage.config.digest'), manifestDigest: text('containerimage.digest'), builder: useBuildx ? 'buildx' : 'docker build' };
}
