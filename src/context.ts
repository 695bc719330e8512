import { readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the runner tells the action about the job: read once, at the top, then passed down. */
export interface RunnerContext {
  eventName: string;
  ref: string;
  sha: string;
  payload: Record<string, unknown>;
  repository: string;
  actor: string;
  workspace: string;
  runnerTemp: string;
  apiUrl: string;
  serverUrl: string;
  runId?: number;
  runNumber?: number;
}

function readPayload(eventPath: string | undefined): Record<string, unknown> {
  if (!eventPath || !existsSync(eventPath)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(eventPath, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function optionalInt(v: string | undefined): number | undefined {
  const n = v ? Number.parseInt(v, 10) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function runnerContext(env: NodeJS.ProcessEnv = process.env): RunnerContext {
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    sha: env.GITHUB_SHA ?? '',
    payload: readPayload(env.GITHUB_EVENT_PATH),
    repository: env.GITHUB_REPOSITORY ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    runnerTemp: env.RUNNER_TEMP || path.join(os.tmpdir(), 'image-publish'),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    runId: optionalInt(env.GITHUB_RUN_ID),
    runNumber: optionalInt(env.GITHUB_RUN_NUMBER),
  };
}
