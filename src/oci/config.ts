/** The parts of an image config (OCI image-spec "config", as BuildKit and Docker write it) that a build changes. */
export interface Healthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: Healthcheck;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Shell?: string[];
  OnBuild?: string[] | null;
  [key: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  [key: string]: unknown;
}

export interface ImageConfig {
  created?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

/** One change an instruction makes to the config; every value already expanded and resolved by the reader. */
export type ConfigChange =
  | { kind: 'env'; pairs: [string, string][] }
  | { kind: 'label'; pairs: [string, string][] }
  | { kind: 'workdir'; path: string }
  | { kind: 'user'; user: string }
  | { kind: 'expose'; ports: string[] }
  | { kind: 'volume'; paths: string[] }
  | { kind: 'stopsignal'; signal: string }
  | { kind: 'healthcheck'; check: Healthcheck }
  | { kind: 'shell'; shell: string[] }
  /** Shell form: `args` is the one command line, run by the config's Shell (or /bin/sh -c). */
  | { kind: 'entrypoint'; args: string[]; shellForm?: boolean }
  | { kind: 'cmd'; args: string[]; shellForm?: boolean };

/** One history entry of the build: what it records, what it changes, and whether it adds a layer. */
export interface Step {
  createdBy: string;
  change?: ConfigChange;
  /** True when this step adds the next of the build's layers. */
  layer: boolean;
}

/** BuildKit's history comment for steps of a Dockerfile frontend build. */
export const HISTORY_COMMENT = 'buildkit.dockerfile.v0';

function setEnv(env: string[], key: string, value: string): string[] {
  const i = env.findIndex((e) => e.split('=')[0] === key);
  const out = [...env];
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];

function commandArgs(c: ContainerConfig, change: { args: string[]; shellForm?: boolean }): string[] {
  return change.shellForm ? [...(c.Shell?.length ? c.Shell : DEFAULT_SHELL), ...change.args] : change.args;
}

/** Go's %q of a []string, as BuildKit writes ENTRYPOINT/CMD into the history. Pure. */
export function goQuoteList(args: readonly string[]): string {
  return `[${args.map((a) => JSON.stringify(a)).join(' ')}]`;
}

/** Applies one change as BuildKit's dispatcher does; `cmdSet` says whether this build has set CMD yet. Pure. */
function apply(c: ContainerConfig, change: ConfigChange, cmdSet: boolean): ContainerConfig {
  switch (change.kind) {
    case 'env':
      return { ...c, Env: change.pairs.reduce((env, [k, v]) => setEnv(env, k, v), c.Env ?? []) };
    case 'label':
      return { ...c, Labels: { ...(c.Labels ?? {}), ...Object.fromEntries(change.pairs) } };
    case 'workdir':
      return { ...c, WorkingDir: change.path };
    case 'user':
      return { ...c, User: change.user };
    case 'expose':
      return { ...c, ExposedPorts: { ...(c.ExposedPorts ?? {}), ...Object.fromEntries(change.ports.map((p) => [p, {}])) } };
    case 'volume':
      return { ...c, Volumes: { ...(c.Volumes ?? {}), ...Object.fromEntries(change.paths.map((p) => [p, {}])) } };
    case 'stopsignal':
      return { ...c, StopSignal: change.signal };
    case 'healthcheck':
      return { ...c, Healthcheck: change.check };
    case 'shell':
      return { ...c, Shell: change.shell };
    case 'entrypoint': {
      // an ENTRYPOINT drops the CMD it inherited (the key goes, as Go's omitempty drops a nil); an earlier CMD stays
      const rest = { ...c };
      if (!cmdSet) delete rest.Cmd;
      return { ...rest, Entrypoint: commandArgs(c, change) };
    }
    case 'cmd':
      // BuildKit marks every CMD ArgsEscaped (a Windows field Docker still reads)
      return { ...c, Cmd: commandArgs(c, change), ArgsEscaped: true };
  }
}

export interface ConfigParts {
  steps: readonly Step[];
  /** diff_ids of the build's own layers, in order: one per step with `layer`. */
  diffIds: readonly string[];
  /** Labels from the action's inputs, applied last as `docker build --label` does (no history entry). */
  labels: readonly [string, string][];
  /** RFC 3339 time for `created` and the new history entries. */
  created: string;
}

/** The child image's config: the base's, with the steps applied, their history and layers appended. Pure. */
export function childConfig(base: ImageConfig, parts: ConfigParts): ImageConfig {
  const layerSteps = parts.steps.filter((s) => s.layer).length;
  if (layerSteps !== parts.diffIds.length) throw new Error(`${layerSteps} layer steps but ${parts.diffIds.length} layers`);
  let config: ContainerConfig = { ...(base.config ?? {}) };
  // ONBUILD triggers are not inherited: the reader refuses a base that has them
  delete config.OnBuild;
  let cmdSet = false;
  const createdBy: string[] = [];
  for (const s of parts.steps) {
    if (s.change) config = apply(config, s.change, cmdSet);
    if (s.change?.kind === 'cmd') cmdSet = true;
    // BuildKit records ENTRYPOINT/CMD with the shell already prepended
    const k = s.change?.kind;
    createdBy.push(k === 'entrypoint' || k === 'cmd' ? `${k.toUpperCase()} ${goQuoteList(k === 'cmd' ? config.Cmd! : config.Entrypoint!)}` : s.createdBy);
  }
  if (parts.labels.length) config = apply(config, { kind: 'label', pairs: [...parts.labels] }, cmdSet);
  const history: HistoryEntry[] = [
    ...(base.history ?? []),
    ...parts.steps.map((s, i) => ({ created: parts.created, created_by: createdBy[i], comment: HISTORY_COMMENT, ...(s.layer ? {} : { empty_layer: true }) })),
  ];
  return {
    ...base,
    created: parts.created,
    config,
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...parts.diffIds] },
    history,
  };
}

/** The config as bytes, as it is pushed and digested. Pure. */
export function configBytes(config: ImageConfig): Buffer {
  return Buffer.from(JSON.stringify(config));
}
