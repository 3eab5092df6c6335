// V8 heap settings for a long-running node process: `cairn run`, `cairn app` (bin/cairn.js)
// and the desktop app's main process (src-main/app/heap-flags-first.ts). V8 reads both flags
// while it runs, so setting them before the node's modules load is enough.
import { setFlagsFromString } from 'node:v8';

export const NODE_HEAP_FLAGS = [
  // The young generation stays at its initial size (1 MiB semi-spaces on 64-bit) instead of
  // growing to 16 MiB ones, which start-up alone does (it promotes ~20 MiB of module code and
  // data) and which then stay committed. The node's bulk data (blocks, segments, network
  // frames) live in ArrayBuffers outside the V8 heap; its JS allocation is small per byte
  // moved. Measured on the grid bench (client node): idle 96.6 -> 84.7 MiB, peak during a
  // slow 1 MiB/s get 152.3 -> 121.4 MiB, with no CPU per MiB difference above the noise.
  // (`--max-semi-space-size` would say it more plainly, but only on the command line.)
  '--semi-space-growth-factor=1',
  // The old generation may grow to 3x its live size before a full (mark-compact) GC; V8's
  // own factor, from its GC and mutator speeds, came to 1.8-3.2 here. V8 counts the
  // ArrayBuffer bytes allocated since the last full GC against that room, dead or alive,
  // and moving data allocates many: node:crypto's Noise cipher output (twice per 64 KiB
  // message), HTTP chunks, blocks. With a ~20 MiB heap the client node ran 10-17 full GCs per
  // 50 MiB put, each marking the whole heap: a third of its CPU. Measured on the grid bench
  // (50 MiB puts over the web API, 3 each): full GCs on the client 10-17 -> 0-1, grid CPU per
  // MiB 0.10-0.13 -> 0.062-0.074, put 13-18 -> 23-27 MiB/s; the client's RSS peak on a slow
  // get 140 -> 123 MiB. 100 (a fixed 2x) was worse than V8's own; 400 no better than 200.
  '--heap-growing-percent=200',
] as const;

export function applyNodeHeapFlags(): void {
  for (const flag of NODE_HEAP_FLAGS) setFlagsFromString(flag);
}
