import { parseCap } from '../../../../src-shared/caps/index.js';
import { withAtomicFile } from '../../../node/atomic-write.js';
import { formatSize } from '../../../node/sizes.js';
import type { CheckResult, NodeStatus } from '../../web/node-api.js';
import { callApi, defaultNodeDir, fileSizeOf, nodeEndpoint, readAll } from '../api-client.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';

/** Ping times are whole milliseconds; on a LAN or loopback most are 0. */
function formatRoundTrip(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms === 0 ? '<1 ms' : `${ms} ms`;
}

const nodeDirOption = { 'node-dir': { type: 'string' } } as const;
const nodeDirHelp = `  --node-dir DIR   the running node to use (default ${defaultNodeDir()}, or $CAIRN_NODE_DIR)`;

/** `cairn get` writes the file in batches of about this size. */
const WRITE_BATCH_BYTES = 1024 * 1024;

export const putCommand: Command = {
  name: 'put',
  summary: 'upload a file to the grid and print its cap',
  usage: `usage: cairn put [--node-dir DIR] FILE

Uploads FILE through the running node and prints its cap (URI:CHK:… or URI:LIT:…).

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length !== 1) throw new UsageError('expected one FILE', this.usage);
    const file = positionals[0]!;
    const size = await fileSizeOf(file);
    const endpoint = await nodeEndpoint(values['node-dir']);
    print((await readAll(await callApi(endpoint, 'PUT', '/uri', { file, size }))).trim());
  },
};

export const getCommand: Command = {
  name: 'get',
  summary: 'download a file from the grid',
  usage: `usage: cairn get [--node-dir DIR] CAP [OUTFILE|-]

Downloads the file of CAP to OUTFILE (written under a temporary name and renamed
only when complete and verified), or to standard output with "-" or no OUTFILE.

${nodeDirHelp}`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(this, args, nodeDirOption);
    if (values.help) return print(this.usage);
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('expected CAP and optionally OUTFILE', this.usage);
    const [capText, outFile = '-'] = positionals as [string, string?];
    const cap = parseCap(capText);
    const endpoint = await nodeEndpoint(values['node-dir']);
    const response = await callApi(endpoint, 'GET', `/uri/${encodeURIComponent(capText.trim())}`);
    const expected = cap.kind === 'lit' ? cap.data.length : cap.size;
    let received = 0;
    const checkComplete = () => {
      if (received !== expected) throw new Error(`the download stopped after ${received} of ${expected} bytes (see the node's log)`);
    };
    if (outFile === '-') {
      for await (const chunk of response) {
        received += (chunk as Buffer).length;
        if (!process.stdout.write(chunk as Buffer)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      }
      checkComplete();
      return;
    }
    await withAtomicFile(outFile, async (handle) => {
      // The socket hands over 64 KiB at a time; a write per MiB costs far less than one per chunk.
      let batch: Buffer[] = [];
      let batchBytes = 0;
      for await (const chunk of response) {
        received += (chunk as Buffer).length;
        batch.push(chunk as Buffer);
        batchBytes += (chunk as Buffer).length;
        if (batchBytes >= WRITE_BATCH_BYTES) {
          await handle.writev(batch);
          batch = [];
          batchBytes = 0;
        }
      }
      if (batch.length > 0) await handle.writev(batch);
      checkComplete();
    });
  },
};

export const checkCommand: Command = {
  name: 'check',
  summary: "report a file's health (and verify or repair it)",
  usage: `usage: cairn check [--node-dir DIR] [--verify] [--repair] [--add-lease] [--json] CAP

Counts the file's good shares and the servers holding them.
  --verify      also download and check every share's hashes
  --repair      regenerate missing or corrupt shares onto servers that lack them
  --add-lease   renew this node's lease on every share found (servers that expire
                leases delete shares nobody renews)
  --json        print the full result as JSON
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
    if (positionals.length !== 1) throw new UsageError('expected one CAP', this.usage);
    parseCap(positionals[0]!);
    const endpoint = await nodeEndpoint(values['node-dir']);
    const query = `t=check${values.verify ? '&verify=true' : ''}${values.repair ? '&repair=true' : ''}${values['add-lease'] ? '&add-lease=true' : ''}`;
    const result = JSON.parse(await readAll(await callApi(endpoint, 'POST', `/uri/${encodeURIComponent(positionals[0]!.trim())}?${query}`))) as CheckResult;
    print(values.json ? JSON.stringify(result, null, 2) : result.summary);
  },
};

export const statusCommand: Command = {
  name: 'status',
  summary: "show the node's peers and storage",
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
    if (status.operations.length > 0) {
      print(`${status.operations.length} operation${status.operations.length === 1 ? '' : 's'} in progress:`);
      for (const op of status.operations) {
        const total = op.bytesTotal === undefined ? '' : ` of ${formatSize(op.bytesTotal)}${op.bytesTotal > 0 ? ` (${Math.floor((100 * op.bytesDone) / op.bytesTotal)} %)` : ''}`;
        print(`  ${op.kind.padEnd(9)} ${formatSize(op.bytesDone)}${total}, for ${Math.round((Date.now() - op.startedAt) / 1000)} s`);
      }
    }
  },
};
