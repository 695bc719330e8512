/** Inputs a merge job cannot honour, refused before anything runs. Pure. */
import { InputError } from '../errors.js';
import type { SupplyOptions } from '../supply/options.js';

/**
 * The merge job builds nothing: an SBOM or our provenance would describe no build (and legs refuse them too, for
 * now). `sign: key` is honoured: the merge signs the index it pushed.
 */
export function checkMergeSupply(merge: boolean, supply: SupplyOptions): void {
  if (!merge) return;
  const input = supply.sbom ? 'sbom' : supply.provenance ? 'provenance' : undefined;
  if (input) {
    throw new InputError(input, `is not supported together with merge-digests: the merge job builds nothing and only stitches the legs' images into an index; remove \`${input}\` from the merge step.`);
  }
}
