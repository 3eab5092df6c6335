// `npm start`: the desktop app where Electron can start; elsewhere the node with its web UI,
// printing the URL to open (with no node there yet, its first run: `cairn app`). The node
// directory is $CAIRN_NODE_DIR or ~/.cairn.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../', import.meta.url);
const appEntry = new URL('dist/src-main/app/main.js', root);

/** Why Electron cannot start here, or undefined when it can. */
function electronMissing() {
  if (!existsSync(appEntry)) return 'the desktop app is not part of this build';
  let binary;
  try {
    // the package exports the binary's path, and throws when the binary was never downloaded
    binary = createRequire(import.meta.url)('electron');
  } catch {
    return 'the Electron binary is not installed';
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return 'the Electron binary is not installed';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display';
  return undefined;
}

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 0)));
}

const missing = electronMissing();
if (missing === undefined) {
  run(createRequire(import.meta.url)('electron'), [appEntry.pathname]);
} else {
  const nodeDir = process.env.CAIRN_NODE_DIR ?? join(homedir(), '.cairn');
  const cli = new URL('bin/cairn.js', root).pathname;
  process.stdout.write(`cairn: starting the web UI instead of the desktop app (${missing})\n`);
  if (existsSync(join(nodeDir, 'cairn.json'))) {
    run(process.execPath, [cli, 'run', nodeDir, '--ui']);
  } else {
    // no node yet: the web UI's first run creates a grid or joins one by invite
    process.stdout.write(
      `cairn: no node in ${nodeDir} yet (or set CAIRN_NODE_DIR). Open the URL below to create a grid or join one, or from the CLI:\n` +
        `  npx cairn create-introducer ${nodeDir} --nickname YOU      # a new grid\n` +
        `  npx cairn join CODE ${nodeDir} --nickname YOU              # a friend's grid, by invite code\n`,
    );
    run(process.execPath, [cli, 'app', nodeDir]);
  }
}
