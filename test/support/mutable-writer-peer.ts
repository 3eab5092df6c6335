// A grid client in its own process that appends lines to one mutable file with
// modifyMutable (run: node --import tsx test/support/mutable-writer-peer.ts).
// Env (env, not argv: the cap and the grid key are secrets):
//   CAIRN_TEST_GRID_KEY   the grid key, 64 hex digits
//   CAIRN_TEST_SERVERS    JSON [{ peerId, addrs }] of the storage servers
//   CAIRN_TEST_CAP        the file's write cap
//   CAIRN_TEST_WRITER     this writer's name; it appends "<name> <i>\n" for i = 0 … count-1
//   CAIRN_TEST_APPENDS    count
// Prints "ready" once its host is up, starts when it reads "go" on stdin, then prints one
// JSON line { conflicts } and exits 0 (1 on any error, with the error on stderr).
import '../../src-shared/polyfills/promise-with-resolvers.js';

import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { peerIdFromString } from '@libp2p/peer-id';
import { parseMutableCap } from '../../src-shared/caps/index.js';
import { leaseSeedOfPeer } from '../../src-main/core/lease-secrets.js';
import type { GridServer } from '../../src-main/grid/grid-server.js';
import { modifyMutable } from '../../src-main/grid/mutable/index.js';
import { createCairnHost } from '../../src-main/net/host.js';
import { generateNodeKey } from '../../src-main/net/keys.js';
import { RemoteStorageServer } from '../../src-main/net/storage-protocol/client.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`mutable-writer-peer: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
};

const cap = parseMutableCap(env('CAIRN_TEST_CAP'));
if (cap.kind !== 'ssk-ed25519') throw new Error('CAIRN_TEST_CAP must be a write cap');
const writer = env('CAIRN_TEST_WRITER');
const appends = Number(env('CAIRN_TEST_APPENDS'));
const host = await createCairnHost({ privateKey: await generateNodeKey(), listen: [], gridKey: Buffer.from(env('CAIRN_TEST_GRID_KEY'), 'hex'), loopbackLimits: true });
const servers: GridServer[] = (JSON.parse(env('CAIRN_TEST_SERVERS')) as { peerId: string; addrs: string[] }[]).map((info, i) => {
  const peerId = peerIdFromString(info.peerId);
  const seed = peerId.toMultihash().bytes;
  return { id: info.peerId, nickname: `s${i}`, permutationSeed: seed, leaseSeed: leaseSeedOfPeer(seed), api: new RemoteStorageServer(host, peerId, info.addrs, { name: `s${i}` }) };
});
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break;

const options = { servers, encoding: { needed: 3, happy: 5, total: 6 }, leaseSecret: new Uint8Array(randomBytes(32)), attempts: 12, backoffMs: 20 };
let conflicts = 0;
try {
  for (let i = 0; i < appends; i++) {
    const line = Buffer.from(`${writer} ${i}\n`);
    // idempotent, as modifyMutable requires: a retry may find this line landed already
    const result = await modifyMutable(cap, (current) => (Buffer.from(current).includes(line) ? undefined : new Uint8Array(Buffer.concat([current, line]))), options);
    conflicts += result.attempts - 1;
  }
  process.stdout.write(`${JSON.stringify({ conflicts })}\n`);
  await host.stop();
  process.exit(0);
} catch (error) {
  process.stderr.write(`mutable-writer-peer: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
