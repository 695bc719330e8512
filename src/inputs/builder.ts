import { InputError } from '../errors.js';

/** buildx builder names: what `docker buildx create --name` and docker/setup-buildx-action give. */
const BUILDX_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * `builder`: auto, native, docker, or the name of a buildx builder created earlier in the job (for example the
 * `name` output of docker/setup-buildx-action), which means the docker builder on that buildx builder. Pure.
 */
export function parseBuilder(raw: string): { builder: 'auto' | 'native' | 'docker'; buildxBuilder?: string } {
  const v = raw.trim() || 'auto';
  if (v === 'auto' || v === 'native' || v === 'docker') return { builder: v };
  if (!BUILDX_NAME.test(v)) {
    throw new InputError('builder', `"${v}" is neither auto, native, docker nor a buildx builder name (letters, digits, '_', '.', '-'); pass the name output of docker/setup-buildx-action, e.g. builder: \${{ steps.buildx.outputs.name }}.`);
  }
  return { builder: 'docker', buildxBuilder: v };
}
