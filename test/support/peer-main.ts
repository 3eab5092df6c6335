// The child side of the harnesses: announce the host on stdout, stop cleanly when told.
import type { Libp2p } from '@libp2p/interface';

/** One JSON line with the peer id and addresses: the parent waits for it. */
export function printPeerInfo(host: Libp2p): void {
  process.stdout.write(`${JSON.stringify({ peerId: host.peerId.toString(), addrs: host.getMultiaddrs().map((a) => a.toString()) })}\n`);
}

/**
 * Runs `cleanup` and exits on SIGTERM, SIGINT or when stdin closes (the parent died);
 * exits with 1 if cleanup takes more than 5 s.
 */
export function exitOnStop(cleanup: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5_000).unref();
    await cleanup();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.on('error', () => void shutdown());
  process.stdin.resume();
}
