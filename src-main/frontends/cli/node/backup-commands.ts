// `cairn backup LOCALDIR PATH` and `cairn restore PATH LOCALDIR`: the node does the work
// (POST /backup, POST /restore); the CLI shows its progress and the summary.
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { BackupEvent, BackupSummary, RestoreSummary } from '../../../backup/backup-request.js';
import { formatSize } from '../../../node/sizes.js';
import { callApi, defaultNodeDir, nodeEndpoint } from '../api-client.js';
import { parseGridPath } from '../grid-path.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { gridPathHelp, nodeDirHelp, nodeDirOption } from './node-dir-option.js';
import { ProgressLine } from './progress-line.js';

type Line = BackupEvent | BackupSummary | RestoreSummary | { readonly type: 'error'; readonly error: string };

/** Reads the JSON lines of a run, showing progress; returns the summary, or throws the run's error. */
async function followRun<S>(response: IncomingMessage, quiet: boolean): Promise<S> {
  const progress = new ProgressLine();
  let summary: S | undefined;
  for await (const text of createInterface({ input: response, crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    const line = JSON.parse(text) as Line;
    if (line.type === 'progress') {
      if (!quiet) progress.show(line);
    } else if (line.type === 'problem') {
      progress.clear();
      process.stderr.write(`cairn: ${line.kind}: ${line.path}: ${line.reason}\n`);
    } else if (line.type === 'error') {
      progress.clear();
      throw new Error(line.error);
    } else {
      summary = line as S;
    }
  }
  progress.clear();
  if (summary === undefined) throw new Error('the node stopped before the run finished (see its log); run it again to go on where it stopped');
  return summary;
}

function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

function printBackupSummary(summary: BackupSummary, target: string): void {
  print(`Snapshot ${target.replace(/\/+$/, '')}/Archives/${summary.snapshot} (also Latest)`);
  print(summary.filesUploaded === 0 ? `  nothing changed: 0 files uploaded, ${summary.filesReused} reused` : `  ${summary.filesUploaded} files uploaded, ${summary.filesReused} reused`);
  print(`  ${summary.filesSkipped} skipped, ${summary.filesFailed} failed; ${summary.directories} folders, ${summary.symlinks} symlinks`);
  print(`  ${formatSize(summary.bytesSent)} sent in ${seconds(summary.seconds)}`);
  for (const problem of summary.skipped) print(`  skipped ${problem.path}: ${problem.reason}`);
  for (const problem of summary.failed) print(`  failed ${problem.path}: ${problem.reason}`);
}

export const backupCommand: Command = {
  name: 'backup',
  usage: `usage: cairn backup [--node-dir DIR] [--exclude GLOB]… [--exclude-vcs] [--json] LOCALDIR PATH

Backs up the folder LOCALDIR (on the node's computer) to the grid directory PATH (made if
missing): a new immutable snapshot PATH/Archives/<UTC time>, and PATH/Latest pointing at it.
Files unchanged since the last backup of LOCALDIR to PATH (same size, mtime and inode) are
not read again. Symlinks are recorded, not followed. Files that cannot be read are listed
and skipped. A run that stops part-way leaves no snapshot; the next run does not upload
again what it finished.
  --exclude GLOB   leave out names or paths matching GLOB (repeatable; see docs/backup.md)
  --exclude-vcs    leave out .git, .hg, .svn, .bzr, _darcs, CVS
  --json           print the summary as JSON
A .cairnignore file in any folder lists more patterns, one a line.
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, {
      ...nodeDirOption,
      exclude: { type: 'string', multiple: true },
      'exclude-vcs': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) return print(this.usage);
    if (positionals.length !== 2) throw new UsageError('expected LOCALDIR and PATH', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const [localDir, targetText] = positionals as [string, string];
    const target = await parseGridPath(targetText, nodeDir);
    const body = { source: resolve(localDir), target: target.cap, path: target.path, exclude: values.exclude ?? [], excludeVcs: values['exclude-vcs'] === true };
    const response = await callApi(await nodeEndpoint(nodeDir), 'POST', '/backup', { data: JSON.stringify(body) });
    const summary = await followRun<BackupSummary>(response, values.json === true);
    if (values.json) return print(JSON.stringify(summary, null, 2));
    printBackupSummary(summary, target.text);
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  usage: `usage: cairn restore [--node-dir DIR] [--force] [--json] PATH LOCALDIR

Restores PATH (a snapshot: alias:backups/Archives/<UTC time> or alias:backups/Latest, or a
file or folder inside one) to LOCALDIR on the node's computer: contents, names, empty
folders, symlinks, permissions and mtimes. Every file is checked against its cap.
"cairn ls alias:backups/Archives" lists the snapshots.
LOCALDIR must not exist or be an empty folder; a file restores into an existing folder
under its own name, or to the path given.
  --force   write into a non-empty folder, replacing files of the same names
  --json    print the summary as JSON
${gridPathHelp}

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, { ...nodeDirOption, force: { type: 'boolean' }, json: { type: 'boolean' } });
    if (values.help) return print(this.usage);
    if (positionals.length !== 2) throw new UsageError('expected PATH and LOCALDIR', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const [sourceText, localDir] = positionals as [string, string];
    const source = await parseGridPath(sourceText, nodeDir);
    if (source.path === '' && !source.cap.startsWith('URI:DIR2')) throw new UsageError(`${sourceText} is a file cap: restore a snapshot, or a path inside one`, this.usage);
    const body = { source: source.cap, path: source.path, destination: resolve(localDir), force: values.force === true };
    const response = await callApi(await nodeEndpoint(nodeDir), 'POST', '/restore', { data: JSON.stringify(body) });
    const summary = await followRun<RestoreSummary>(response, values.json === true);
    if (values.json) return print(JSON.stringify(summary, null, 2));
    print(`Restored ${summary.files} files (${formatSize(summary.bytes)}), ${summary.directories} folders and ${summary.symlinks} symlinks to ${resolve(localDir)} in ${seconds(summary.seconds)}`);
  },
};
