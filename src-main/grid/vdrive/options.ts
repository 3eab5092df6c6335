import type { ModifyOptions } from '../mutable/index.js';

/** What directory operations need: the grid, and how to write to it. */
export interface VdriveOptions extends ModifyOptions {
  /** the node's convergence secret: immutable directories converge with it (random key without) */
  readonly convergenceSecret?: Uint8Array;
  /** the clock for link times, in Unix seconds (default: now) */
  readonly now?: () => number;
}

export function nowOf(options: VdriveOptions): number {
  return options.now?.() ?? Date.now() / 1000;
}
