#!/usr/bin/env node
// The `cairn` command. It runs the compiled CLI in dist/ (npm run build makes it): the bundle
// of it (scripts/build-cli.mjs), which starts faster, unless the modules are newer than it.
import { existsSync, statSync } from 'node:fs';

const modules = new URL('../dist/src-main/frontends/cli/main.js', import.meta.url);
const bundle = new URL('../dist/src-main/frontends/cli-bundle/main.js', import.meta.url);
if (!existsSync(modules)) {
  process.stderr.write('cairn: the CLI is not built yet; run "npm run build" in the repository first\n');
  process.exit(1);
}
// After a bare `tsc`, the bundle is older than the modules: it would run stale code.
const entry = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(modules).mtimeMs ? bundle : modules;
// A node process tunes V8's heap before anything else loads (src-main/node/heap-flags.ts says why).
if (process.argv[2] === 'run' || process.argv[2] === 'app') {
  const { applyNodeHeapFlags } = await import(new URL('../dist/src-main/node/heap-flags.js', import.meta.url).href);
  applyNodeHeapFlags();
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
