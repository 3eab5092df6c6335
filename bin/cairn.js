#!/usr/bin/env node
// The `cairn` command. It runs the compiled CLI in dist/ (npm run build makes it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src-main/frontends/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('cairn: the CLI is not built yet; run "npm run build" in the repository first\n');
  process.exit(1);
}
// A node process tunes V8's heap before anything else loads (src-main/node/heap-flags.ts says why).
if (process.argv[2] === 'run' || process.argv[2] === 'app') {
  const { applyNodeHeapFlags } = await import(new URL('../dist/src-main/node/heap-flags.js', import.meta.url).href);
  applyNodeHeapFlags();
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
