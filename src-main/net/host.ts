// The Cairn libp2p host: TCP + Noise + Yamux, identify and ping, and nothing else
// (no discovery, no relay, no DHT: peers come from the introducer).
//
// Grid membership is enforced by the Noise handshake itself: its prologue is derived from the
// grid key, and Noise mixes the prologue into the handshake hash, so a peer with another key
// (or none) fails the handshake at its first encrypted payload, before identify or any Cairn
// protocol runs. This costs nothing per byte, unlike @libp2p/pnet, which would add a second
// cipher pass over all traffic (shared/notes/libp2p-v3.md). The multistream negotiation that
// precedes Noise stays in plaintext; it reveals only that this is a libp2p node using Noise.

import '../../src-shared/polyfills/promise-with-resolvers.js';

import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { taggedHash } from '../core/crypto/hashes.js';
import { gridPnetProtector } from './grid-pnet.js';
import type { NodePrivateKey } from './keys.js';

export const GRID_KEY_SIZE = 32;
export const GRID_PROLOGUE_TAG = 'cairn-grid-prologue-v1';
export const GRID_PNET_TAG = 'cairn-grid-pnet-v1';

/**
 * How non-members are kept out. 'noise-prologue' (the default, and what Cairn uses) binds
 * the Noise handshake to the grid key. 'pnet' is libp2p's private-network protector, an
 * XSalsa20 layer over every byte; it exists so the grid benchmark can compare the two
 * (docs/network.md). Every node of a grid must use the same one.
 */
export type GridMembership = 'noise-prologue' | 'pnet';

/** Yamux grows a stream's receive window up to this; see STREAM_READ_BUFFER. */
const MAX_STREAM_WINDOW = 4 * 1024 * 1024;
/**
 * While a reader has paused a stream (FrameReader backpressure), the sender may still deliver
 * one full window, which the stream buffers; a read buffer smaller than the window makes
 * libp2p reset the stream. Twice the window leaves room for what was queued before the pause.
 */
const STREAM_READ_BUFFER = 2 * MAX_STREAM_WINDOW;

export interface CairnHostOptions {
  /** The node's identity (see keys.ts). */
  readonly privateKey: NodePrivateKey;
  /** Multiaddrs to listen on, e.g. '/ip4/127.0.0.1/tcp/0'. */
  readonly listen: readonly string[];
  /** The grid's 32-byte pre-shared key: only holders of the same key can connect. */
  readonly gridKey: Uint8Array;
  /**
   * Raise libp2p's per-host inbound limits (5 connections/s, 10 pending upgrades), which
   * refuse legitimate loopback grids and tests that redial (they then see only ECONNRESET).
   */
  readonly loopbackLimits?: boolean;
  /** default 'noise-prologue' */
  readonly membership?: GridMembership;
}

export type CairnServices = { identify: Identify; ping: Ping };
export type CairnHost = Libp2p<CairnServices>;

/** The Noise prologue for a grid: tagged hash of the grid key (the key itself is not sent). */
export function gridPrologue(gridKey: Uint8Array): Uint8Array {
  if (gridKey.length !== GRID_KEY_SIZE) {
    throw new RangeError(`the grid key must be ${GRID_KEY_SIZE} bytes, not ${gridKey.length}`);
  }
  return taggedHash(GRID_PROLOGUE_TAG, gridKey);
}

/** The pnet key file libp2p expects, from a tagged hash of the grid key. */
export function gridPnetKey(gridKey: Uint8Array): Uint8Array {
  const hex = Buffer.from(taggedHash(GRID_PNET_TAG, gridPrologue(gridKey))).toString('hex');
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${hex}`);
}

/** Creates and starts a host. Stop it with `host.stop()`. */
export async function createCairnHost(options: CairnHostOptions): Promise<CairnHost> {
  const pnet = options.membership === 'pnet';
  const prologueBytes = gridPrologue(options.gridKey);
  const loopback = options.loopbackLimits === true;
  return createLibp2p<CairnServices>({
    privateKey: options.privateKey,
    addresses: { listen: [...options.listen] },
    transports: [tcp()],
    ...(pnet ? { connectionProtector: gridPnetProtector(gridPnetKey(options.gridKey)) } : {}),
    connectionEncrypters: [pnet ? noise() : noise({ prologueBytes })],
    streamMuxers: [
      yamux({
        streamOptions: {
          maxStreamWindowSize: MAX_STREAM_WINDOW,
          maxReadBufferLength: STREAM_READ_BUFFER,
        },
      }),
    ],
    services: {
      identify: identify(),
      ping: ping(),
    },
    // A busy connection (megabytes queued in its streams) can take longer than the monitor's
    // ping deadline to answer; libp2p would then abort a healthy connection mid-upload.
    // Dead peers still show up as failed requests and closed sockets.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    connectionManager: loopback
      ? {
          inboundConnectionThreshold: 1_000,
          maxIncomingPendingConnections: 256,
        }
      : {},
    start: true,
  });
}
