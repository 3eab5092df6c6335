import { peerIdFromString } from '@libp2p/peer-id';
import type { CairnHost } from '../net/host.js';
import type { IntroducerClient } from '../net/introducer/index.js';

/** The last libp2p ping round trip to a peer. */
export interface RoundTrip {
  readonly milliseconds: number;
  /** Unix ms */
  readonly measuredAt: number;
}

export interface PeerLatencyOptions {
  /** how often every connected server is pinged (default 30 s); also pinged when it connects */
  readonly intervalMs?: number;
  /** a ping not answered by then counts as failed (default 10 s) */
  readonly timeoutMs?: number;
}

/**
 * Measures the round-trip time to every connected storage server with libp2p ping, when it
 * connects and then periodically, and remembers when each server was last seen alive. Readers
 * get the latest figures at once; they never wait for a ping.
 */
export class PeerLatencyMonitor {
  readonly #host: CairnHost;
  readonly #introducer: IntroducerClient;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #roundTrips = new Map<string, RoundTrip>();
  /** Unix ms of the last sign of life: a ping answered, a connection opened or closed */
  readonly #lastSeen = new Map<string, number>();
  readonly #pinging = new Set<string>();
  readonly #stopping = new AbortController();
  readonly #unsubscribe: Array<() => void> = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(host: CairnHost, introducer: IntroducerClient, options: PeerLatencyOptions = {}) {
    this.#host = host;
    this.#introducer = introducer;
    this.#intervalMs = options.intervalMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  start(): void {
    this.#unsubscribe.push(
      this.#introducer.on('server-connected', ({ peerId }) => {
        this.#lastSeen.set(peerId, Date.now());
        this.#ping(peerId);
      }),
      this.#introducer.on('server-disconnected', ({ peerId }) => {
        this.#lastSeen.set(peerId, Date.now());
        this.#roundTrips.delete(peerId);
      }),
    );
    this.#timer = setInterval(() => {
      for (const entry of this.#introducer.servers.all()) if (entry.state === 'connected') this.#ping(entry.peerId);
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** The last round trip to a connected server; undefined before its first answer or once it is gone. */
  roundTrip(peerId: string): RoundTrip | undefined {
    return this.#roundTrips.get(peerId);
  }

  lastSeen(peerId: string): number | undefined {
    return this.#lastSeen.get(peerId);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#stopping.abort();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  #ping(peerId: string): void {
    if (this.#pinging.has(peerId) || this.#stopping.signal.aborted) return;
    this.#pinging.add(peerId);
    const signal = AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(this.#timeoutMs)]);
    this.#host.services.ping
      .ping(peerIdFromString(peerId), { signal })
      .then(
        (milliseconds) => {
          const now = Date.now();
          if (this.#introducer.servers.get(peerId)?.state === 'connected') this.#roundTrips.set(peerId, { milliseconds, measuredAt: now });
          this.#lastSeen.set(peerId, now);
        },
        () => undefined, // no answer: the figure ages, and a lost connection clears it
      )
      .finally(() => this.#pinging.delete(peerId));
  }
}
