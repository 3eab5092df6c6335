import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

// Ports pinned into a node's config are picked below the ephemeral range the OS uses for
// outgoing connections (Linux: 32768-60999, macOS and Windows: 49152-65535). A port from
// that range, free at creation, can be taken by any outgoing connection before the node
// starts, and then the node cannot listen.
const PINNED_PORT_MIN = 10_000;
const PINNED_PORT_MAX = 32_767;
const ATTEMPTS = 50;

function tryListen(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(bound > 0 ? bound : undefined));
    });
  });
}

/** A TCP port that is free on `host` now, outside the OS's range for outgoing connections when it can be. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = await tryListen(host, randomInt(PINNED_PORT_MIN, PINNED_PORT_MAX + 1));
    if (port !== undefined) return port;
  }
  const port = await tryListen(host, 0); // the OS picks one
  if (port === undefined) throw new Error(`could not find a free port on ${host}`);
  return port;
}
