// "Servers of happiness" (chk-format.md §15).

import { maximumMatching } from './bipartite-matching.js';
import type { SharesByServer } from './types.js';

/**
 * The size of a maximum matching between servers and the shares they hold: the number of
 * servers that can each contribute a different share. An upload is happy when this is at
 * least H, so that any K of those servers have K distinct shares and can rebuild the file.
 */
export function happiness(placement: SharesByServer): number {
  return maximumMatching([...placement.keys()], (server) => placement.get(server) ?? []).size;
}
