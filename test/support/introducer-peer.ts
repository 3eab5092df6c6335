// An introducer-protocol node in its own process, for tests:
//   node --import tsx test/support/introducer-peer.ts '<config JSON>'
// Env (secrets stay out of argv and `ps`):
//   CAIRN_TEST_GRID_KEY  the grid key, 64 hex digits
//   CAIRN_TEST_NODE_KEY  optional: the node's identity (libp2p protobuf private key, hex), so a
//                        restarted process keeps its peer id
// Config (argv[2], JSON): see PeerConfig.
// Prints one JSON line { peerId, addrs } once listening, then one JSON line per event
// ({ event: ..., ... }), and log lines { event: 'log', level, message } for warn and error.
// stdin commands, one per line:  "free <bytes>"  sets the free space and re-announces.
// Exits on SIGTERM/SIGINT or when stdin closes (the parent went away).
import '../../src-shared/polyfills/promise-with-resolvers.js';

import { createCairnHost } from '../../src-main/net/host.js';
import { generateNodeKey, parseNodeKey } from '../../src-main/net/keys.js';
import {
  IntroducerClient,
  serveIntroducer,
  type IntroducerClientEvents,
  type IntroducerLogger,
  type IntroducerService,
  type ServerEntry,
} from '../../src-main/net/introducer/index.js';
import type { PeerConfig } from './introducer-process.js';
import { exitOnStop, printPeerInfo } from './peer-main.js';

const gridKeyHex = process.env.CAIRN_TEST_GRID_KEY ?? '';
if (!/^[0-9a-f]{64}$/.test(gridKeyHex)) {
  process.stderr.write('introducer-peer: CAIRN_TEST_GRID_KEY must be 64 hex digits\n');
  process.exit(2);
}
const config = JSON.parse(process.argv[2] ?? '{}') as PeerConfig;
const nodeKeyHex = process.env.CAIRN_TEST_NODE_KEY;
const privateKey = nodeKeyHex ? parseNodeKey(Buffer.from(nodeKeyHex, 'hex')) : await generateNodeKey();

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, at: Date.now(), ...fields })}\n`);
}

const name = `${config.role}${config.nickname === undefined ? '' : ` ${config.nickname}`}`;
const log: IntroducerLogger = {
  debug: (message) => {
    if (config.debug === true) process.stderr.write(`[${name}] debug ${message}\n`);
  },
  info: (message) => process.stderr.write(`[${name}] info ${message}\n`),
  warn: (message) => {
    process.stderr.write(`[${name}] warn ${message}\n`);
    emit('log', { level: 'warn', message });
  },
  error: (message) => {
    process.stderr.write(`[${name}] error ${message}\n`);
    emit('log', { level: 'error', message });
  },
};

const host = await createCairnHost({
  privateKey,
  listen: [`/ip4/127.0.0.1/tcp/${config.port ?? 0}`],
  gridKey: Buffer.from(gridKeyHex, 'hex'),
  loopbackLimits: true,
});

let service: IntroducerService | undefined;
let client: IntroducerClient | undefined;
let freeSpace = config.freeSpace ?? 1_000_000_000;

if (config.role === 'introducer') {
  service = await serveIntroducer(host, { ...config.service, log });
}

if (config.role === 'server' || config.role === 'client') {
  if (config.introducer === undefined) throw new Error('a server or client needs config.introducer');
  client = new IntroducerClient(host, {
    ...config.client,
    introducer: config.introducer,
    log,
    ...(config.role === 'server'
      ? {
          privateKey,
          storage: {
            nickname: config.nickname ?? 'server',
            version: 'cairn/test',
            freeSpace: () => freeSpace,
            minFreeSpaceChange: 1,
          },
        }
      : {}),
  });
  const server = (s: ServerEntry): Record<string, unknown> => ({
    peerId: s.peerId,
    nickname: s.announcement.nickname,
    seq: s.announcement.seq,
    freeSpace: s.announcement.freeSpace,
    addresses: s.announcement.addresses,
    state: s.state,
  });
  const events: (keyof IntroducerClientEvents)[] = [
    'server-added',
    'server-updated',
    'server-connected',
    'server-disconnected',
  ];
  for (const event of events) client.on(event, (entry) => emit(event, server(entry as ServerEntry)));
  client.on('server-removed', (e) => emit('server-removed', e));
  client.on('introducer-connected', (e) => emit('introducer-connected', e));
  client.on('introducer-disconnected', (e) => emit('introducer-disconnected', e));
  client.on('announced', (e) => emit('announced', e));
  client.on('announce-refused', (e) => emit('announce-refused', e));
  client.on('announcement-rejected', (e) => emit('announcement-rejected', e));
  client.on('synced', (e) => emit('synced', e));
  client.start();
}

printPeerInfo(host);
exitOnStop(async () => {
  await client?.stop();
  await service?.stop();
  await host.stop();
});

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  input += text;
  let newline: number;
  while ((newline = input.indexOf('\n')) >= 0) {
    const line = input.slice(0, newline).trim();
    input = input.slice(newline + 1);
    const free = /^free (\d+)$/.exec(line);
    if (free !== null && client !== undefined) {
      freeSpace = Number(free[1]);
      client.announceNow().catch((err: unknown) => emit('log', { level: 'error', message: String(err) }));
    }
  }
});
