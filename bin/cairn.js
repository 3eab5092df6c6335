#!/usr/bin/env node
// The `cairn` command. It runs the compiled CLI in dist/ (npm run build makes it).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// A node process (`cairn run`, `cairn app`) keeps V8's young generation at its initial size
// (1 MiB semi-spaces on 64-bit) instead of letting it grow to 16 MiB ones, which start-up
// alone does (it promotes ~20 MiB of module code and data) and which then stay committed.
// The node's bulk data (blocks, segments, network frames) live in ArrayBuffers outside the
// V8 heap; its JS allocation is small per byte moved. Measured on the grid bench (client
// node): idle 96.6 -> 84.7 MiB, peak during a slow 1 MiB/s get 152.3 -> 121.4 MiB (spent
// buffers are freed by the more frequent scavenges instead of waiting for a full GC), with
// twice the scavenges but no CPU per MiB difference above the noise on fast puts and gets.
// `--max-semi-space-size` would say it more plainly but only takes effect on the command
// line (before the heap is set up); the growth factor is read at each growth, so setting it
// here, before anything is loaded, works for however the node is started.
if (process.argv[2] === 'run' || process.argv[2] === 'app') setFlagsFromString('--semi-space-growth-factor=1');

const entry = new URL('../dist/src-main/frontends/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('cairn: the CLI is not built yet; run "npm run build" in the repository first\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
