// A Cairn storage server in its own process, for tests
// (run: node --import tsx test/support/storage-server-peer.ts).
// Env (env, not argv, so the grid key is not in `ps`):
//   CAIRN_TEST_GRID_KEY       the grid key, 64 hex digits
//   CAIRN_TEST_STORAGE_DIR    the storage directory (created if missing)
//   CAIRN_TEST_RESERVED_SPACE optional: bytes of free space never promised to uploads
// Prints one JSON line { peerId, addrs } on stdout once serving; logs to stderr.
// Exits on SIGTERM/SIGINT or when its stdin closes (the parent went away).
import '../../src-shared/polyfills/promise-with-resolvers.js';

import { leaseSeedOfPeer } from '../../src-main/core/lease-secrets.js';
import { createCairnHost } from '../../src-main/net/host.js';
import { generateNodeKey } from '../../src-main/net/keys.js';
import { serveStorage } from '../../src-main/net/storage-protocol/server.js';
import { StorageBackend } from '../../src-main/storage/backend.js';
import { exitOnStop, printPeerInfo } from './peer-main.js';

function fail(message: string): never {
  process.stderr.write(`storage-server-peer: ${message}\n`);
  process.exit(2);
}

const gridKeyHex = process.env.CAIRN_TEST_GRID_KEY ?? '';
if (!/^[0-9a-f]{64}$/.test(gridKeyHex)) fail('CAIRN_TEST_GRID_KEY must be 64 hex digits');
const dir = process.env.CAIRN_TEST_STORAGE_DIR ?? '';
if (dir === '') fail('CAIRN_TEST_STORAGE_DIR must name a directory');
const reservedText = process.env.CAIRN_TEST_RESERVED_SPACE ?? '0';
if (!/^[0-9]{1,16}$/.test(reservedText)) fail('CAIRN_TEST_RESERVED_SPACE must be a byte count');

const log = (level: string, message: string): void => {
  process.stderr.write(`[${level}] ${message}\n`);
};

const host = await createCairnHost({
  privateKey: await generateNodeKey(),
  listen: ['/ip4/127.0.0.1/tcp/0'],
  gridKey: Buffer.from(gridKeyHex, 'hex'),
  loopbackLimits: true,
});
// The node id recorded with write enablers is the server's lease seed, as in a real node.
const backend = await StorageBackend.open({
  dir,
  reservedSpace: Number(reservedText),
  applicationVersion: 'cairn-test/storage-server-peer',
  onWarning: (message) => log('warn', message),
  nodeId: leaseSeedOfPeer(host.peerId.toMultihash().bytes),
});
const service = await serveStorage(host, backend, { log });

printPeerInfo(host);
exitOnStop(async () => {
  await service.close();
  await host.stop();
  await backend.close();
});
