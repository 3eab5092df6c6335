import { parseAnyCap } from '../../../../src-shared/caps/index.js';
import { formatSize } from '../../../node/sizes.js';
import type { NodeStatus } from '../../web/node-api.js';
import { checkReportLines, type CheckResponse } from './check-report.js';
import { callApi, defaultNodeDir, nodeEndpoint, readAll } from '../api-client.js';
import { uploadLocalFile } from '../local-upload.js';
import { parseGridPath, uriOf } from '../grid-path.js';
import { downloadFile } from '../download.js';
import { nodeDirHelp, nodeDirOption } from './node-dir-option.js';
import { describeDurability } from './durability-lines.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';

/** Ping times are whole milliseconds; on a LAN or loopback most are 0. */
function formatRoundTrip(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms === 0 ? '<1 ms' : `${ms} ms`;
}


export const putCommand: Command = {
  name: 'put',
  usage: `usage: cairn put [--node-dir DIR] FILE|- [PATH]

Uploads FILE ("-": standard input, streamed) through the running node and prints its cap
(URI:CHK:… or URI:LIT:…). The node reads FILE itself when it sees the same file (it runs on
this machine); otherwise the CLI sends it the bytes.
With PATH (alias:dir/name, URI:DIR2-…/name, or dir/name under "cairn:") the file is also
linked there, replacing what had that name; the directory holding it must exist.

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('expected FILE and optionally PATH', this.usage);
    const [file, pathText] = positionals as [string, string?];
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const target = pathText === undefined ? undefined : await parseGridPath(pathText, nodeDir);
    if (target !== undefined && target.path === '') throw new UsageError(`PATH "${pathText}" names a directory, not a name in it: give alias:dir/name`, this.usage);
    const endpoint = await nodeEndpoint(nodeDir);
    const at = (query = ''): string => (target === undefined ? `/uri${query === '' ? '' : `?${query}`}` : uriOf(target, query));
    const response = file === '-' ? await callApi(endpoint, 'PUT', at(), { stream: process.stdin }) : await uploadLocalFile(endpoint, file, at);
    print((await readAll(response)).trim());
  },
};


export const getCommand: Command = {
  name: 'get',
  usage: `usage: cairn get [--node-dir DIR] PATH [OUTFILE|-]

Downloads the file at PATH (a cap, alias:dir/file, URI:DIR2-…/file, or dir/file under
"cairn:") to OUTFILE (written under a temporary name and renamed only when complete and
verified; the node writes it itself when it sees that file), or to standard output with "-"
or no OUTFILE.

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('expected PATH and optionally OUTFILE', this.usage);
    const [pathText, outFile = '-'] = positionals as [string, string?];
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const source = await parseGridPath(pathText.trim(), nodeDir);
    const endpoint = await nodeEndpoint(nodeDir);
    if (source.path === '' && parseAnyCap(source.cap).kind === 'dir') throw new Error(`${pathText} is a directory: list it with "cairn ls", copy it with "cairn cp -r"`);
    await downloadFile(endpoint, source, outFile);
  },
};

export const checkCommand: Command = {
  name: 'check',
  usage: `usage: cairn check [--node-dir DIR] [--verify] [--repair] [--add-lease] [--json] PATH

Checks the file or directory at PATH (a cap, alias:dir/file, URI:DIR2-…/dir/file, or
dir/file under "cairn:"): which servers hold which of its shares, and for a mutable file
or directory which versions (seqnum, root hash) are on the grid. Healthy means every
share of the newest version is there, spread over enough servers.
  --verify      also read every share and check its hashes (and a mutable share's signature)
  --repair      if not healthy, put back missing or corrupt shares (immutable files from
                their read cap; mutable files and directories need their write cap)
  --add-lease   renew this node's lease on every share found (servers that expire
                leases delete shares nobody renews)
  --json        print the full result as JSON
Prints the summary, then one line per fact.
${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, {
      ...nodeDirOption,
      verify: { type: 'boolean' },
      repair: { type: 'boolean' },
      'add-lease': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) return print(this.usage);
    if (positionals.length !== 1) throw new UsageError('expected one PATH', this.usage);
    const nodeDir = values['node-dir'] ?? defaultNodeDir();
    const target = await parseGridPath(positionals[0]!.trim(), nodeDir);
    const endpoint = await nodeEndpoint(nodeDir);
    const query = `t=check${values.verify ? '&verify=true' : ''}${values.repair ? '&repair=true' : ''}${values['add-lease'] ? '&add-lease=true' : ''}`;
    const result = JSON.parse(await readAll(await callApi(endpoint, 'POST', uriOf(target, query)))) as CheckResponse;
    if (values.json) return print(JSON.stringify(result, null, 2));
    for (const line of checkReportLines(result)) print(line);
  },
};

export const statusCommand: Command = {
  name: 'status',
  usage: `usage: cairn status [--node-dir DIR] [--json]

Lists the grid's storage servers: nickname, connection state, ping round-trip time
(measured at connect and every 30 s), last seen, free space.
  --json     print the full status as JSON
${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, { ...nodeDirOption, json: { type: 'boolean' } });
    if (values.help) return print(this.usage);
    if (positionals.length !== 0) throw new UsageError('status takes no arguments', this.usage);
    const status = JSON.parse(await readAll(await callApi(await nodeEndpoint(values['node-dir']), 'GET', '/status?t=json'))) as NodeStatus;
    if (values.json) return print(JSON.stringify(status, null, 2));
    print(`${status.nickname} (${status.peerId}); introducer ${status.introducer.connected ? 'connected' : 'NOT connected'}; encoding ${status.encoding.needed}/${status.encoding.happy}/${status.encoding.total}`);
    if (status.storage) print(`storing ${status.storage.shares} shares, ${formatSize(status.storage.bytesUsed)}`);
    const connected = status.peers.filter((p) => p.connected).length;
    print(`${status.peers.length} storage server${status.peers.length === 1 ? '' : 's'} known, ${connected} connected:`);
    for (const peer of status.peers) {
      const seen = peer.lastSeen === undefined ? 'never' : new Date(peer.lastSeen).toISOString();
      const free = peer.freeSpace === undefined ? '?' : formatSize(peer.freeSpace);
      const state = (peer.connected ? 'connected' : 'disconnected').padEnd(12);
      print(`  ${peer.nickname.padEnd(16)} ${peer.peerId.slice(-10)}  ${state} rtt ${formatRoundTrip(peer.roundTripMs).padEnd(7)} last seen ${seen}  free ${free}`);
    }
    if (status.backups !== undefined && status.backups.jobs.length > 0) for (const line of describeDurability(status.backups.durability)) print(line);
    if (status.operations.length > 0) {
      print(`${status.operations.length} operation${status.operations.length === 1 ? '' : 's'} in progress:`);
      for (const op of status.operations) {
        const total = op.bytesTotal === undefined ? '' : ` of ${formatSize(op.bytesTotal)}${op.bytesTotal > 0 ? ` (${Math.floor((100 * op.bytesDone) / op.bytesTotal)} %)` : ''}`;
        print(`  ${op.kind.padEnd(9)} ${formatSize(op.bytesDone)}${total}, for ${Math.round((Date.now() - op.startedAt) / 1000)} s`);
      }
    }
  },
};
