import { InputError } from '../errors.js';
import type { Inputs } from '../inputs/inputs.js';
import { unsupported } from '../dockerfile/reader.js';
import type { Parsed } from '../dockerfile/parse.js';

export type BuilderKind = 'native' | 'docker';

export interface BuilderChoice {
  kind: BuilderKind;
  /** One line for the log: which builder and why. */
  reason: string;
}

/** What keeps the native builder from this run, besides the Dockerfile: inputs only BuildKit honours. Pure. */
function inputsNeedingBuildKit(inputs: Pick<Inputs, 'provenance' | 'target'>): string | undefined {
  if (inputs.provenance !== 'false') return `provenance: ${inputs.provenance} needs BuildKit`;
  if (inputs.target) return `target: ${inputs.target} needs BuildKit`;
  return undefined;
}

/** The first reason the native builder cannot build this Dockerfile with these inputs. Pure. */
export function nativeBlocker(inputs: Pick<Inputs, 'provenance' | 'target' | 'buildArgs'>, df: Parsed): string | undefined {
  const byInput = inputsNeedingBuildKit(inputs);
  if (byInput) return byInput;
  const at = unsupported(df, new Map(inputs.buildArgs));
  return at ? `line ${at.line}: ${at.instruction} (${at.reason})` : undefined;
}

/** `builder: native` refuses what it cannot build, before anything has happened. Pure; throws InputError. */
export function checkNative(inputs: Pick<Inputs, 'builder' | 'provenance' | 'target' | 'buildArgs'>, df: Parsed): void {
  if (inputs.builder !== 'native') return;
  const why = nativeBlocker(inputs, df);
  if (why) throw new InputError('builder', `native cannot build this: ${why}. Use builder: docker (or auto, which picks it).`);
}

/**
 * The one place that picks the builder. auto takes the native builder when it can build every instruction and
 * the image is pushed (it writes to registries, not to the local engine); docker otherwise. Pure.
 */
export function chooseBuilder(inputs: Pick<Inputs, 'builder' | 'provenance' | 'target' | 'buildArgs'>, df: Parsed, push: boolean): BuilderChoice {
  if (inputs.builder === 'native') return { kind: 'native', reason: 'Builder: native, as the builder input asks.' };
  if (inputs.builder === 'docker') return { kind: 'docker', reason: 'Builder: docker (BuildKit), as the builder input asks.' };
  if (!push) return { kind: 'docker', reason: 'Builder: docker (BuildKit), since nothing is pushed and the image goes to the local engine.' };
  const why = nativeBlocker(inputs, df);
  return why
    ? { kind: 'docker', reason: `Builder: docker (BuildKit), since the native builder cannot take ${why}.` }
    : { kind: 'native', reason: 'Builder: native, since it supports every instruction of the Dockerfile (builder: docker forces BuildKit).' };
}
