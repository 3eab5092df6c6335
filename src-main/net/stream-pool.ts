// Idle request streams, kept per (peer, protocol) for the next request.
//
// Opening a stream costs far more than a request on it: libp2p's dial path, multistream-select
// (a round trip), and a dozen event listeners and abort signals on each side. Measured here,
// a stream per 341 KiB request tripled the CPU per byte of both peers. So a stream whose
// exchange ended cleanly goes back to the pool, and the next request to that peer reuses it.
// The server side serves request after request on one stream (request.ts).

import type { Connection, DialTarget, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { FrameReader } from './frames.js';

/** An idle stream is closed after this long (the server gives up on it later, see request.ts). */
export const CLIENT_IDLE_STREAM_MS = 30_000;
/** At most this many idle streams are kept per peer and protocol; more are closed. */
const MAX_IDLE_PER_KEY = 32;

/** A stream and the frame reader that owns its incoming bytes, lent for one exchange. */
export interface PooledStream {
  readonly stream: Stream;
  readonly reader: FrameReader;
  /** `<peer id>|<protocol>` */
  readonly key: string;
}

interface IdleEntry extends PooledStream {
  timer?: NodeJS.Timeout;
}

export interface AcquireOptions {
  readonly signal: AbortSignal;
  readonly maxOutboundStreams: number;
}

const parsedPeers = new Map<string, PeerId>();

/** The peer a dial target names (multiaddrs ending in /p2p/<id>, or a peer id). */
function peerOf(target: DialTarget): PeerId | undefined {
  if (!Array.isArray(target)) return typeof (target as PeerId).toMultihash === 'function' ? (target as PeerId) : undefined;
  const id = target[0]?.getComponents().findLast((c) => c.name === 'p2p')?.value;
  if (id === undefined) return undefined;
  let peer = parsedPeers.get(id);
  if (peer === undefined) {
    peer = peerIdFromString(id);
    if (parsedPeers.size > 10_000) parsedPeers.clear();
    parsedPeers.set(id, peer);
  }
  return peer;
}

class StreamPool {
  readonly #host: Libp2p;
  readonly #idle = new Map<string, IdleEntry[]>();
  /** entries by stream, so a stream closing while idle leaves the pool */
  readonly #byStream = new WeakMap<Stream, IdleEntry>();
  /** streams that already have the listeners below */
  readonly #watched = new WeakSet<Stream>();

  constructor(host: Libp2p) {
    this.#host = host;
  }

  /** An idle stream to the peer for the protocol, or a new one (dialling if need be). */
  async acquire(target: DialTarget, protocol: string, options: AcquireOptions): Promise<PooledStream> {
    const peer = peerOf(target);
    if (peer !== undefined) {
      const idle = this.#idle.get(`${peer.toString()}|${protocol}`);
      while (idle !== undefined && idle.length > 0) {
        const entry = idle.pop()!;
        this.#forget(entry);
        if (isReusable(entry.stream)) return entry;
        entry.reader.release();
        entry.stream.abort(new Error('stale pooled stream'));
      }
    }
    const connection = await this.#connection(target, peer, options.signal);
    const stream = await connection.newStream(protocol, { signal: options.signal, maxOutboundStreams: options.maxOutboundStreams });
    return { stream, reader: new FrameReader(stream), key: `${connection.remotePeer.toString()}|${protocol}` };
  }

  /** Returns a stream whose exchange completed cleanly; anything else is closed. */
  release(pooled: PooledStream): void {
    const { stream, reader, key } = pooled;
    const idle = this.#idle.get(key) ?? [];
    if (!isReusable(stream) || reader.bufferedBytes > 0 || idle.length >= MAX_IDLE_PER_KEY) {
      reader.release();
      void closeOrAbort(stream);
      return;
    }
    const entry: IdleEntry = { stream, reader, key };
    entry.timer = setTimeout(() => this.#expire(entry), CLIENT_IDLE_STREAM_MS);
    entry.timer.unref();
    idle.push(entry);
    this.#idle.set(key, idle);
    if (!this.#watched.has(stream)) {
      this.#watched.add(stream);
      // Once per stream: a stream that the peer closes or resets while idle leaves the pool.
      const drop = (): void => {
        const current = this.#byStream.get(stream);
        if (current !== undefined) this.#remove(current);
      };
      stream.addEventListener('close', drop);
      stream.addEventListener('remoteCloseWrite', drop);
    }
    this.#byStream.set(stream, entry);
  }

  async #connection(target: DialTarget, peer: PeerId | undefined, signal: AbortSignal): Promise<Connection> {
    if (peer !== undefined) {
      const open = this.#host.getConnections(peer).find((c) => c.status === 'open');
      if (open !== undefined) return open;
    }
    return this.#host.dial(target, { signal });
  }

  #expire(entry: IdleEntry): void {
    if (!this.#remove(entry)) return;
    entry.reader.release();
    void closeOrAbort(entry.stream);
  }

  /** Takes the entry out of the idle list; false if it was not there. */
  #remove(entry: IdleEntry): boolean {
    const idle = this.#idle.get(entry.key);
    const at = idle?.indexOf(entry) ?? -1;
    this.#forget(entry);
    if (idle === undefined || at < 0) return false;
    idle.splice(at, 1);
    if (idle.length === 0) this.#idle.delete(entry.key);
    return true;
  }

  #forget(entry: IdleEntry): void {
    clearTimeout(entry.timer);
    if (this.#byStream.get(entry.stream) === entry) this.#byStream.delete(entry.stream);
  }
}

/** Closes a stream we are done with, within 2 s (a peer that stopped reading gets a reset). */
export async function closeOrAbort(stream: Stream): Promise<void> {
  try {
    await stream.close({ signal: AbortSignal.timeout(2_000) });
  } catch {
    stream.abort(new Error('close failed'));
  }
}

function isReusable(stream: Stream): boolean {
  return (
    stream.status === 'open' &&
    stream.writeStatus === 'writable' &&
    stream.readStatus !== 'closed' &&
    stream.remoteWriteStatus !== 'closed'
  );
}

const pools = new WeakMap<Libp2p, StreamPool>();

/** The stream pool of a host (made on first use). */
export function streamPoolOf(host: Libp2p): StreamPool {
  let pool = pools.get(host);
  if (pool === undefined) {
    pool = new StreamPool(host);
    pools.set(host, pool);
  }
  return pool;
}
