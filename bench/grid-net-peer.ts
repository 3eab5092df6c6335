// The grid benchmark's network reference: a Cairn host in its own process serving a sink
// protocol (reads a request body, answers its size). The minimal equivalent of
// test/support/net-peer.ts. Env: CAIRN_BENCH_GRID_KEY = the grid key in hex; CAIRN_NET_MEMBERSHIP = pnet for libp2p's pnet gate.
// Prints one JSON line { peerId, addrs } once listening; exits on SIGTERM or when stdin closes.
import '../src-shared/polyfills/promise-with-resolvers.js';
import { fileURLToPath } from 'node:url';
import { createCairnHost } from '../src-main/net/host.js';
import { generateNodeKey } from '../src-main/net/keys.js';
import { handleRequests, type RequestLimits } from '../src-main/net/request.js';

export const SINK_PROTOCOL = '/cairn/bench-sink/1.0.0';

/** 1 MiB chunks, large bodies, a long deadline (the tests' BULK_LIMITS). */
export const BULK_LIMITS: RequestLimits = {
  maxHeadBytes: 16 * 1024,
  maxChunkBytes: 1024 * 1024,
  maxBodyBytes: 1024 * 1024 * 1024,
  timeoutMs: 300_000,
};

async function serve(): Promise<void> {
  const gridKeyHex = process.env.CAIRN_BENCH_GRID_KEY ?? '';
  if (!/^[0-9a-f]{64}$/.test(gridKeyHex)) throw new Error('CAIRN_BENCH_GRID_KEY must be 64 hex digits');
  const host = await createCairnHost({
    privateKey: await generateNodeKey(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    gridKey: Buffer.from(gridKeyHex, 'hex'),
    loopbackLimits: true,
    membership: process.env.CAIRN_NET_MEMBERSHIP === 'pnet' ? 'pnet' : 'noise-prologue',
  });
  await handleRequests(
    host,
    SINK_PROTOCOL,
    async (request) => {
      let bytes = 0;
      for await (const chunk of request.body) bytes += chunk.length;
      return { head: { bytes } };
    },
    BULK_LIMITS,
  );
  process.stdout.write(`${JSON.stringify({ peerId: host.peerId.toString(), addrs: host.getMultiaddrs().map((a) => a.toString()) })}\n`);
  const shutdown = (): void => {
    setTimeout(() => process.exit(1), 3_000).unref();
    void Promise.resolve(host.stop()).then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve();
