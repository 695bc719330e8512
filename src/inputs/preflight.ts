import { InputError } from '../errors.js';
import { stageNames, type Dockerfile } from '../dockerfile/model.js';

const NETWORKS = ['default', 'none', 'host'] as const;

/** `network`: the modes BuildKit gives RUN steps; '' leaves the builder's default. Pure. */
export function checkNetwork(raw: string): string {
  const v = raw.trim();
  if (v === '' || (NETWORKS as readonly string[]).includes(v)) return v;
  throw new InputError('network', `"${v}" is not a network mode for RUN steps; use one of ${NETWORKS.join(', ')} (a build cannot join a named network).`);
}

/** `target` must name a stage of the Dockerfile (`FROM … AS <name>`), as BuildKit would find out only after the Java build. Pure. */
export function checkTarget(target: string, df: Pick<Dockerfile, 'stages'>, fileRel: string): void {
  if (!target) return;
  const stages = stageNames(df);
  if (stages.includes(target.toLowerCase())) return;
  const known = stages.length ? `its stages are ${stages.join(', ')}` : 'it names no stage (write FROM <image> AS <name>)';
  throw new InputError('target', `"${target}" is not a stage of ${fileRel}: ${known}.`);
}
