/** What the bench's pieces hand each other. */
import type { CacheService } from '../__tests__/support/cache-service.ts';
import type { Services, Workspace } from '../__tests__/support/services.ts';
import type { Fixture } from './fixtures.ts';
import type { Relay } from './relay.ts';

export type Scenario = 'cold' | 'unchanged' | 'change' | 'multi';
/** The hand-run sequence; the action (default builder, `auto`); the action with `builder: docker`; Jib. */
export type Contender = 'hand' | 'action' | 'docker' | 'jib';
export const ALL_CONTENDERS: Contender[] = ['hand', 'action', 'docker', 'jib'];
export const LABEL: Record<Contender, string> = { hand: 'hand-run', action: 'action', docker: 'action (builder: docker)', jib: 'Jib' };

export interface ScenarioDef {
  id: Scenario;
  title: string;
  tag: string;
  only?: Contender[];
}

export const ALL_SCENARIOS: ScenarioDef[] = [
  { id: 'cold', title: 'cold', tag: 'v1.2.3' },
  { id: 'unchanged', title: 'unchanged commit, new tag', tag: 'v1.2.4' },
  { id: 'change', title: 'one-line code change', tag: 'v1.2.5' },
  // another one-line change, built for two platforms from the multi-arch base; compared with `change`
  { id: 'multi', title: 'one-line change, amd64+arm64', tag: 'v1.2.6', only: ['action'] },
];

export interface RunResult {
  fixture: string;
  rep: number;
  scenario: Scenario;
  contender: Contender;
  ok: boolean;
  error?: string;
  wallMs: number;
  /** Stage → ms. Action: metadata.timings + main/post from the stamps. Hand-run and Jib: one per command kind. */
  stages: Record<string, number>;
  /** Client→server bytes through the relay, without the base-image pull requests. */
  registryBytes: number;
  registryBytesRaw: number;
  cacheUploadBytes: number;
  cacheDownloadBytes: number;
  cacheHit?: unknown;
  builder?: string;
  tags: string[];
  /** The action's log lines about stages, layers and bytes, for "where the time goes". */
  log?: string[];
}

export interface Ctx {
  fixture: Fixture;
  rep: number;
  s: Services;
  relay: Relay;
  /** One Actions cache per contender that has one, as separate workflows would. */
  svc: Partial<Record<Contender, CacheService>>;
  ws: Workspace;
  sha: string;
  runnerTemp: string;
  repo: Record<Contender, string>;
}
