import '../../../src-shared/polyfills/promise-with-resolvers.js';
import { UsageError, print, type CommandEntry } from './usage.js';

// Each command's module (and what it needs: the node, libp2p, the data plane) loads only
// when that command runs, so that a short command such as `get` starts quickly.
export const commands: readonly CommandEntry[] = [
  { name: 'create-introducer', summary: 'create a new grid and its introducer node', load: async () => (await import('./node/create-introducer.js')).createIntroducerCommand },
  { name: 'create-node', summary: 'create a node that joins a grid', load: async () => (await import('./node/create-node.js')).createNodeCommand },
  { name: 'run', summary: 'run a node in the foreground', load: async () => (await import('./node/run.js')).runCommand },
  { name: 'put', summary: 'upload a file to the grid (and link it at a path) and print its cap', load: async () => (await import('./node/grid-commands.js')).putCommand },
  { name: 'get', summary: 'download a file from the grid', load: async () => (await import('./node/grid-commands.js')).getCommand },
  { name: 'ls', summary: 'list a directory on the grid', load: async () => (await import('./node/vdrive-commands.js')).lsCommand },
  { name: 'mkdir', summary: 'make a directory on the grid', load: async () => (await import('./node/vdrive-commands.js')).mkdirCommand },
  { name: 'rm', summary: 'unlink a file or directory from its directory', load: async () => (await import('./node/vdrive-commands.js')).rmCommand },
  { name: 'ln', summary: 'link what one path names at another path too', load: async () => (await import('./node/vdrive-commands.js')).lnCommand },
  { name: 'mv', summary: 'move or rename a file or directory on the grid', load: async () => (await import('./node/vdrive-commands.js')).mvCommand },
  { name: 'cp', summary: 'copy files between this computer and the grid', load: async () => (await import('./node/cp-command.js')).cpCommand },
  { name: 'check', summary: "report a file's or directory's health (and verify or repair it)", load: async () => (await import('./node/grid-commands.js')).checkCommand },
  { name: 'deep-check', summary: 'check the health of everything under a directory (and repair it)', load: async () => (await import('./node/tree-commands.js')).deepCheckCommand },
  { name: 'manifest', summary: 'list every file and directory under a directory, with their caps', load: async () => (await import('./node/tree-commands.js')).manifestCommand },
  { name: 'status', summary: "show the node's peers and storage", load: async () => (await import('./node/grid-commands.js')).statusCommand },
  { name: 'create-alias', summary: 'make a new directory on the grid and name it with an alias', load: async () => (await import('./node/alias-commands.js')).createAliasCommand },
  { name: 'add-alias', summary: 'name a directory cap, for paths like NAME:dir/file', load: async () => (await import('./node/alias-commands.js')).addAliasCommand },
  { name: 'list-aliases', summary: 'list the aliases and their directory caps', load: async () => (await import('./node/alias-commands.js')).listAliasesCommand },
  { name: 'debug', summary: 'low-level tools: CHK caps, shares and erasure coding', load: async () => (await import('./debug/index.js')).debugCommand },
  { name: 'backup', summary: 'back up a local folder as a new snapshot', load: async () => (await import('./node/backup-commands.js')).backupCommand },
  { name: 'restore', summary: 'restore a snapshot, or a file or folder from one', load: async () => (await import('./node/backup-commands.js')).restoreCommand },
  { name: 'invite', summary: 'print an invite code and its passphrase', load: async () => (await import('./node/invite-commands.js')).inviteCommand },
  { name: 'join', summary: 'create a node that joins a grid by invite code', load: async () => (await import('./node/invite-commands.js')).joinCommand },
  { name: 'backup-job', summary: 'add, list, remove or run scheduled backups', load: async () => (await import('./node/backup-job-command.js')).backupJobCommand },
  { name: 'app', summary: 'the web UI, creating or joining a grid first if DIR has no node', load: async () => (await import('./node/app-command.js')).appCommand },
];

const nameWidth = Math.max(...commands.map((c) => c.name.length));

const usage = `usage: cairn COMMAND [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(nameWidth)}  ${c.summary}`).join('\n')}

Run "cairn COMMAND --help" for a command's options.`;

/** The exit code of a program that a closed pipe stopped: 128 + SIGPIPE, as shells report it. */
const CLOSED_PIPE_EXIT_CODE = 141;

let stdoutGuarded = false;

/**
 * Stops quietly when the reader of standard output goes away, as `cairn get CAP - | head`
 * makes it do: Node ignores SIGPIPE, so the failed write is an EPIPE error that would
 * otherwise crash the process with a stack trace. Leaving stops a download too: the node sees
 * its client go and stops fetching.
 */
function exitOnClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(CLOSED_PIPE_EXIT_CODE);
    process.stderr.write(`cairn: cannot write to standard output: ${error.message}\n`);
    process.exit(1);
  });
}

/** Runs the CLI; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(args: string[]): Promise<number> {
  exitOnClosedStdout();
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      print(usage);
      return name === undefined ? 2 : 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command "${name}"`, usage);
    await (await command.load()).run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`cairn: ${error.message}\n`);
      if (error.usage !== undefined) process.stderr.write(`\n${error.usage}\n`);
      return 2;
    }
    process.stderr.write(`cairn: ${(error as Error).message}\n`);
    if (process.env.CAIRN_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}
