import '../../../src-shared/polyfills/promise-with-resolvers.js';
import { debugCommand } from './debug/index.js';
import { addAliasCommand, createAliasCommand, listAliasesCommand } from './node/alias-commands.js';
import { cpCommand } from './node/cp-command.js';
import { deepCheckCommand, manifestCommand } from './node/tree-commands.js';
import { lnCommand, lsCommand, mkdirCommand, mvCommand, rmCommand } from './node/vdrive-commands.js';
import { createIntroducerCommand } from './node/create-introducer.js';
import { createNodeCommand } from './node/create-node.js';
import { checkCommand, getCommand, putCommand, statusCommand } from './node/grid-commands.js';
import { runCommand } from './node/run.js';
import { inviteCommand, joinCommand } from './node/invite-commands.js';
import { UsageError, print, type Command } from './usage.js';
import { backupJobCommand } from './node/backup-job-command.js';
import { backupCommand, restoreCommand } from './node/backup-commands.js';
import { appCommand } from './node/app-command.js';

const commands: readonly Command[] = [
  createIntroducerCommand,
  createNodeCommand,
  runCommand,
  putCommand,
  getCommand,
  lsCommand,
  mkdirCommand,
  rmCommand,
  lnCommand,
  mvCommand,
  cpCommand,
  checkCommand,
  deepCheckCommand,
  manifestCommand,
  statusCommand,
  createAliasCommand,
  addAliasCommand,
  listAliasesCommand,
  debugCommand,
  backupCommand,
  restoreCommand,
  inviteCommand,
  joinCommand,
  backupJobCommand,
  appCommand,
];

const usage = `usage: cairn COMMAND [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(13)} ${c.summary}`).join('\n')}

Run "cairn COMMAND --help" for a command's options.`;

/** Runs the CLI; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      print(usage);
      return name === undefined ? 2 : 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command "${name}"`, usage);
    await command.run(rest);
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
