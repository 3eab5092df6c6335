// Imported first by main.ts, so that it runs before the node's modules load: the desktop
// app's main process hosts a grid node, and tunes V8's heap as `cairn run` does
// (src-main/node/heap-flags.ts says why and what it saves).
import { applyNodeHeapFlags } from '../node/heap-flags.js';

applyNodeHeapFlags();
