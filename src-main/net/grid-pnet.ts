// libp2p's private-network protector (@libp2p/pnet) as the grid gate: an alternative to the
// Noise prologue that the grid benchmark measures against it (docs/network.md).

import type { AbortOptions, ConnectionProtector, MessageStream } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';

/**
 * pnet hands each write to its XSalsa20 WebAssembly module whole, and that module's memory
 * is capped at 64 MB. A fast sender whose socket is waiting to drain queues tens of MiB, and
 * its next write then aborts the connection (`RangeError: WebAssembly.Memory.grow(): Maximum
 * memory size exceeded`). Writes of at most this many bytes keep the module small; libp2p's
 * message streams split their queue to `maxMessageSize` for exactly this kind of layer.
 */
export const PNET_MAX_WRITE_BYTES = 64 * 1024;

/** pnet keyed by `pnetKey` (the key file libp2p expects), with writes split to PNET_MAX_WRITE_BYTES. */
export function gridPnetProtector(pnetKey: Uint8Array): () => ConnectionProtector {
  const createPnet = preSharedKey({ psk: pnetKey });
  return () => {
    const pnet = createPnet();
    return {
      async protect(connection: MessageStream, options?: AbortOptions): Promise<MessageStream> {
        const protectedStream: MessageStream & { maxMessageSize?: number } = await pnet.protect(connection, options);
        protectedStream.maxMessageSize = PNET_MAX_WRITE_BYTES;
        return protectedStream;
      },
    };
  };
}
