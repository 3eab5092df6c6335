// Imported first by main.ts, so that it runs before the node's modules load: the desktop
// app's main process hosts a grid node, and keeps V8's young generation small as
// `cairn run` does (bin/cairn.js says why and what it saves).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
