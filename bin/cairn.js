#!/usr/bin/env node
// The `cairn` command. It runs the compiled CLI in dist/ (npm run build makes it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src-main/frontends/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('cairn: the CLI is not built yet; run "npm run build" in the repository first\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
