// A Cairn host in its own process, for tests (run: node --import tsx test/support/net-peer.ts).
// Env: CAIRN_TEST_GRID_KEY = the grid key in hex (env, not argv, so it is not in `ps`).
// Prints one JSON line { peerId, addrs } on stdout once listening, then serves the test
// protocols below. Exits on SIGTERM/SIGINT or when its stdin closes (the parent went away).
import '../../src-shared/polyfills/promise-with-resolvers.js';

import { createCairnHost } from '../../src-main/net/host.js';
import { generateNodeKey } from '../../src-main/net/keys.js';
import { handleRequests, RequestRejection } from '../../src-main/net/request.js';
import { BULK_LIMITS, TEST_LIMITS, TestProtocol } from './net-protocols.js';
import { exitOnStop, printPeerInfo } from './peer-main.js';

const gridKeyHex = process.env.CAIRN_TEST_GRID_KEY ?? '';
if (!/^[0-9a-f]{64}$/.test(gridKeyHex)) {
  process.stderr.write('net-peer: CAIRN_TEST_GRID_KEY must be 64 hex digits\n');
  process.exit(2);
}

const host = await createCairnHost({
  privateKey: await generateNodeKey(),
  listen: ['/ip4/127.0.0.1/tcp/0'],
  gridKey: Buffer.from(gridKeyHex, 'hex'),
  loopbackLimits: true,
  membership: process.env.CAIRN_TEST_MEMBERSHIP === 'pnet' ? 'pnet' : 'noise-prologue',
});

const onError = (error: Error): void => {
  process.stderr.write(`net-peer: exchange failed: ${error.name}: ${error.message}\n`);
};

// Echo: the response head is the request head, and the body streams back as it arrives.
await handleRequests(host, TestProtocol.echo, (request) => ({ head: request.head, body: request.body }), TEST_LIMITS, {
  onError,
});

// Sink: reads the body and reports its size (upload throughput).
await handleRequests(
  host,
  TestProtocol.sink,
  async (request) => {
    let bytes = 0;
    for await (const chunk of request.body) bytes += chunk.length;
    return { head: { bytes } };
  },
  BULK_LIMITS,
  { onError },
);

// Slow sink: a consumer slower than the network (the sender must be held back, not buffered).
await handleRequests(
  host,
  TestProtocol.slowSink,
  async (request) => {
    let bytes = 0;
    for await (const chunk of request.body) {
      bytes += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
    return { head: { bytes } };
  },
  BULK_LIMITS,
  { onError },
);

// Source: answers { bytes: n } with n bytes (download throughput, client-side limits).
await handleRequests(
  host,
  TestProtocol.source,
  async (request) => {
    await request.readBody();
    const head = request.head as { bytes?: unknown } | null;
    const total = typeof head?.bytes === 'number' ? head.bytes : -1;
    if (!Number.isSafeInteger(total) || total < 0) throw new RequestRejection('bad-request', 'bytes must be a count');
    const chunk = new Uint8Array(BULK_LIMITS.maxChunkBytes).fill(0x5a);
    function* body(): Generator<Uint8Array> {
      for (let left = total; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    }
    return { head: { bytes: total }, body: body() };
  },
  BULK_LIMITS,
  { onError },
);

// Fail: a plain Error (must not leak), or a RequestRejection (must reach the client).
await handleRequests(
  host,
  TestProtocol.fail,
  async (request) => {
    await request.readBody();
    if ((request.head as { reject?: unknown } | null)?.reject === true) {
      throw new RequestRejection('no-such-share', 'no share 7 for this storage index');
    }
    throw new Error('secret internal detail /home/alice/.cairn');
  },
  TEST_LIMITS,
  { onError },
);

// Slow: never answers; gives up when the exchange is aborted.
await handleRequests(
  host,
  TestProtocol.slow,
  (request) =>
    new Promise((_resolve, reject) => {
      request.signal.addEventListener('abort', () => reject(new Error('gave up')), { once: true });
    }),
  { ...TEST_LIMITS, timeoutMs: 5_000 },
  { onError },
);

printPeerInfo(host);
exitOnStop(async () => {
  await host.stop();
});
