// The introducer: collects storage servers' signed announcements and hands them to subscribers.
//
// - announce: accepted only from the peer the announcement names (the connection's remote peer
//   id, authenticated by Noise), and only with a valid signature. The introducer keeps the
//   announcement with the highest seq per server; the same announcement again only refreshes
//   it (servers re-announce periodically); a server not refreshed within ttlMs is forgotten and
//   subscribers are told.
// - subscribe: a long-lived stream. The subscriber first gets every current announcement and
//   a "synced" marker, then each new or updated announcement and each expiry as they happen.
//   Each subscriber has its own queue, written with backpressure. The queue holds at most one
//   pending message per server (a newer one replaces an unsent older one), so it is bounded by
//   maxServers; a subscriber whose stream does not drain within subscriberWriteTimeoutMs is
//   dropped. Neither a slow nor a dead subscriber ever blocks the others.
//
// Bad input (garbage frames, unknown ops, invalid announcements) gets an ERROR frame on that
// stream, is logged, and leaves the service running.

import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { FrameError, FrameReader, type JsonValue } from '../frames.js';
import {
  AnnouncementError,
  verifyAnnouncement,
  type AnnouncementBody,
  type SignedAnnouncement,
} from './announcement.js';
import { silentLogger, type IntroducerLogger } from './logger.js';
import {
  describeError,
  INTRODUCER_PROTOCOL,
  IntroducerErrorCode,
  parseRequest,
  PeerErrorFrame,
  readEnd,
  readHead,
  sendErrorAndReset,
  writeEnd,
  writeHead,
  type AnnounceResponse,
  type IntroducerPush,
} from './protocol.js';

export interface IntroducerServiceOptions {
  /** Forget a server whose announcement was not received again within this (default 20 min). */
  readonly ttlMs?: number;
  /** How often to look for expired servers (default ttlMs / 4, at most 60 s). */
  readonly sweepIntervalMs?: number;
  /** Servers it will remember at once (default 1000); more are refused with "full". */
  readonly maxServers?: number;
  /** Subscriptions at once, over all peers (default 1000). A peer has at most one. */
  readonly maxSubscribers?: number;
  /** Streams of this protocol one connection may have open at once (default 8). */
  readonly maxStreamsPerConnection?: number;
  /** A request must arrive completely within this (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** A subscriber that does not take a frame within this is dropped (default 30 s). */
  readonly subscriberWriteTimeoutMs?: number;
  readonly log?: IntroducerLogger;
  /** The clock (tests). */
  readonly now?: () => number;
}

export interface StoredAnnouncement {
  readonly body: AnnouncementBody;
  readonly signed: SignedAnnouncement;
  /** When this seq was first received (introducer clock). */
  readonly receivedAt: number;
  /** When it was last received (the TTL counts from here). */
  readonly refreshedAt: number;
}

/** Thrown by announce() (and sent to remote announcers as an ERROR frame). */
export class AnnounceRefused extends Error {
  override readonly name = 'AnnounceRefused';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type PushListener = (push: IntroducerPush) => void;

/** One subscriber's pending messages, keyed by server peer id ('#…' for the others). */
class Subscriber {
  private readonly pending = new Map<string, JsonValue>();
  private writing = false;
  closed = false;

  constructor(
    readonly peer: string,
    private readonly stream: Stream,
    private readonly writeTimeoutMs: number,
    private readonly onDropped: (subscriber: Subscriber, reason: string, tooSlow: boolean) => void,
  ) {}

  /** Queues a message; an unsent one for the same server is replaced in place. */
  push(key: string, message: IntroducerPush | { result: 'subscribed'; ttlMs: number }): void {
    if (this.closed) return;
    this.pending.set(key, message as unknown as JsonValue);
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (!this.closed) {
        const next = this.pending.entries().next();
        if (next.done === true) break;
        const [key, message] = next.value;
        this.pending.delete(key);
        await writeHead(this.stream, message, AbortSignal.timeout(this.writeTimeoutMs));
      }
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      this.onDropped(this, timedOut ? `did not read for ${this.writeTimeoutMs} ms` : describeError(err), timedOut);
    } finally {
      this.writing = false;
    }
  }

  /**
   * Ends the subscription: END (clean) or ERROR, then the stream is closed or reset; or, for
   * a subscriber that stopped reading (which would not see an ERROR frame either), a reset.
   */
  async close(error?: { code: string; message: string }, resetNow = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    if (resetNow) {
      if (this.stream.status === 'open' || this.stream.status === 'closing') {
        this.stream.abort(new Error(error?.message ?? 'subscription dropped'));
      }
      return;
    }
    if (error !== undefined) {
      await sendErrorAndReset(this.stream, error.code, error.message);
      return;
    }
    try {
      if (this.stream.writeStatus === 'writable') {
        await writeEnd(this.stream, AbortSignal.timeout(2_000));
        await this.stream.close({ signal: AbortSignal.timeout(2_000) });
      }
    } catch {
      if (this.stream.status === 'open' || this.stream.status === 'closing') this.stream.abort(new Error('introducer stopping'));
    }
  }
}

export class IntroducerService {
  readonly protocol = INTRODUCER_PROTOCOL;
  private readonly servers = new Map<string, StoredAnnouncement>();
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly localListeners = new Set<PushListener>();
  private readonly ttlMs: number;
  private readonly maxServers: number;
  private readonly maxSubscribers: number;
  private readonly requestTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly log: IntroducerLogger;
  private readonly now: () => number;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private stopped = false;

  /** Use serveIntroducer(). */
  constructor(
    private readonly host: Libp2p,
    options: IntroducerServiceOptions = {},
  ) {
    this.ttlMs = positive('ttlMs', options.ttlMs ?? 20 * 60_000);
    this.maxServers = positive('maxServers', options.maxServers ?? 1000);
    this.maxSubscribers = positive('maxSubscribers', options.maxSubscribers ?? 1000);
    this.requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 10_000);
    this.writeTimeoutMs = positive('subscriberWriteTimeoutMs', options.subscriberWriteTimeoutMs ?? 30_000);
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? Date.now;
    const sweepMs = positive('sweepIntervalMs', options.sweepIntervalMs ?? Math.min(60_000, Math.max(1, Math.floor(this.ttlMs / 4))));
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  /** The current announcements (verified), one per server. */
  announcements(): StoredAnnouncement[] {
    return [...this.servers.values()];
  }

  get subscriberCount(): number {
    return this.subscribers.size + this.localListeners.size;
  }

  /**
   * Takes an announcement that arrived from `fromPeer` (over the network, or this node's own
   * via announceLocal). Throws AnnounceRefused.
   */
  async announce(signed: unknown, fromPeer: string): Promise<AnnounceResponse> {
    if (this.stopped) throw new AnnounceRefused(IntroducerErrorCode.internal, 'the introducer is stopping');
    let body: AnnouncementBody;
    try {
      body = await verifyAnnouncement(signed);
    } catch (err) {
      if (err instanceof AnnouncementError) {
        throw new AnnounceRefused(IntroducerErrorCode.invalidAnnouncement, `invalid announcement (${err.code}): ${err.message}`);
      }
      throw err;
    }
    if (body.peerId !== fromPeer) {
      throw new AnnounceRefused(
        IntroducerErrorCode.notYourPeerId,
        `an announcement must come from the peer it names (it names ${body.peerId}, sent by ${fromPeer})`,
      );
    }
    const announcement = signed as SignedAnnouncement;
    const now = this.now();
    const existing = this.servers.get(body.peerId);
    if (existing !== undefined && body.seq <= existing.body.seq) {
      if (body.seq === existing.body.seq && announcement.msg === existing.signed.msg) {
        this.servers.set(body.peerId, { ...existing, refreshedAt: now });
        return { result: 'refreshed', seq: body.seq };
      }
      return { result: 'stale', seq: existing.body.seq };
    }
    if (existing === undefined && this.servers.size >= this.maxServers) {
      throw new AnnounceRefused(IntroducerErrorCode.full, `the introducer already knows ${this.maxServers} servers`);
    }
    // Keep exactly the verified fields: nothing else from the request object travels on.
    const stored: StoredAnnouncement = {
      body,
      signed: { msg: announcement.msg, sig: announcement.sig },
      receivedAt: now,
      refreshedAt: now,
    };
    this.servers.set(body.peerId, stored);
    this.log.info(
      `introducer: ${existing === undefined ? 'new' : 'updated'} server ${body.peerId} "${body.nickname}" ` +
        `seq ${body.seq}, ${body.addresses.length} address(es), ${body.freeSpace} bytes free`,
    );
    this.broadcast(body.peerId, { type: 'announcement', announcement: stored.signed });
    return { result: 'accepted', seq: body.seq };
  }

  /** This node's own announcement (when the introducer node is also a storage server). */
  announceLocal(signed: SignedAnnouncement): Promise<AnnounceResponse> {
    return this.announce(signed, this.host.peerId.toString());
  }

  /**
   * An in-process subscription (the introducer node's own client). The listener gets the
   * snapshot and "synced" synchronously, then every later push. Returns the unsubscribe.
   */
  subscribeLocal(listener: PushListener): () => void {
    for (const stored of this.servers.values()) listener({ type: 'announcement', announcement: stored.signed });
    listener({ type: 'synced' });
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /** Stops serving: unregisters the protocol and ends every subscription with END. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sweeper);
    this.localListeners.clear();
    const subscribers = [...this.subscribers.values()];
    this.subscribers.clear();
    await Promise.all(subscribers.map((s) => s.close()));
    if (this.host.status === 'started') await this.host.unhandle(INTRODUCER_PROTOCOL).catch(() => undefined);
  }

  /** @internal the protocol handler */
  async handleStream(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    const reader = new FrameReader(stream);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.log.warn(`introducer: ${peer} did not send its request within ${this.requestTimeoutMs} ms`);
      void sendErrorAndReset(stream, IntroducerErrorCode.timeout, `request not received within ${this.requestTimeoutMs} ms`);
    }, this.requestTimeoutMs);
    try {
      const head = await readHead(reader);
      if (head === undefined) throw new FrameError('truncated', 'stream ended before the request HEAD');
      const request = parseRequest(head);
      await readEnd(reader);
      clearTimeout(timer);
      if (request.op === 'announce') {
        const response = await this.announce(request.announcement, peer);
        await writeHead(stream, response as unknown as JsonValue, AbortSignal.timeout(this.writeTimeoutMs));
        await writeEnd(stream, AbortSignal.timeout(this.writeTimeoutMs));
        await stream.close({ signal: AbortSignal.timeout(this.writeTimeoutMs) });
      } else {
        this.addSubscriber(peer, stream);
      }
    } catch (err) {
      if (timedOut) return; // already answered with a timeout ERROR and reset
      const [code, message] = errorFrameFor(err);
      const level = err instanceof AnnounceRefused || err instanceof FrameError || err instanceof PeerErrorFrame ? 'warn' : 'error';
      this.log[level](`introducer: request from ${peer} refused (${code}): ${describeError(err)}`);
      await sendErrorAndReset(stream, code, message);
    } finally {
      clearTimeout(timer);
      // A subscriber sends nothing after its request; whatever it might send is dropped.
      reader.release();
    }
  }

  private addSubscriber(peer: string, stream: Stream): void {
    if (this.stopped) throw new AnnounceRefused(IntroducerErrorCode.internal, 'the introducer is stopping');
    const previous = this.subscribers.get(peer);
    if (previous === undefined && this.subscribers.size >= this.maxSubscribers) {
      throw new AnnounceRefused(IntroducerErrorCode.full, `the introducer already has ${this.maxSubscribers} subscribers`);
    }
    // One subscription per peer: a new one (say, after the peer lost its connection without
    // our noticing) replaces the old.
    if (previous !== undefined) {
      this.subscribers.delete(peer);
      void previous.close({ code: IntroducerErrorCode.replaced, message: 'replaced by a newer subscription' });
    }
    const subscriber = new Subscriber(peer, stream, this.writeTimeoutMs, (s, reason, tooSlow) => {
      if (!this.removeSubscriber(s)) return; // it had left already
      this.log.warn(`introducer: dropping subscriber ${s.peer}: ${reason}`);
      void s.close({ code: tooSlow ? IntroducerErrorCode.tooSlow : IntroducerErrorCode.internal, message: reason }, tooSlow);
    });
    this.subscribers.set(peer, subscriber);
    const onClose = (): void => {
      if (this.removeSubscriber(subscriber)) this.log.debug(`introducer: subscriber ${peer} left`);
      subscriber.closed = true;
    };
    stream.addEventListener('close', onClose, { once: true });
    if (stream.status !== 'open') {
      onClose(); // it went away while we read its request
      return;
    }
    this.log.info(`introducer: ${peer} subscribed (${this.servers.size} server(s) known)`);
    // Queued in this order, synchronously: the response, the snapshot, the marker. Later
    // updates to a server still queued replace its entry in place, so they stay in front
    // of the marker.
    subscriber.push('#response', { result: 'subscribed', ttlMs: this.ttlMs });
    for (const [peerId, stored] of this.servers) subscriber.push(peerId, { type: 'announcement', announcement: stored.signed });
    subscriber.push('#synced', { type: 'synced' });
  }

  private removeSubscriber(subscriber: Subscriber): boolean {
    if (this.subscribers.get(subscriber.peer) !== subscriber) return false;
    this.subscribers.delete(subscriber.peer);
    return true;
  }

  private broadcast(key: string, message: IntroducerPush): void {
    for (const subscriber of this.subscribers.values()) subscriber.push(key, message);
    for (const listener of [...this.localListeners]) {
      try {
        listener(message);
      } catch (err) {
        this.log.error(`introducer: local subscriber failed: ${describeError(err)}`);
      }
    }
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [peerId, stored] of this.servers) {
      if (stored.refreshedAt >= cutoff) continue;
      this.servers.delete(peerId);
      this.log.info(`introducer: forgetting server ${peerId} "${stored.body.nickname}" (not refreshed within ${this.ttlMs} ms)`);
      this.broadcast(peerId, { type: 'expired', peerId });
    }
  }
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`introducer option ${name} must be a positive integer`);
  return value;
}

function errorFrameFor(err: unknown): [string, string] {
  if (err instanceof AnnounceRefused) return [err.code, err.message];
  if (err instanceof FrameError) {
    return [err.code === 'oversized' ? IntroducerErrorCode.tooLarge : IntroducerErrorCode.badRequest, err.message];
  }
  if (err instanceof PeerErrorFrame) return [IntroducerErrorCode.badRequest, `client sent ERROR: ${err.message}`];
  return [IntroducerErrorCode.internal, 'internal error while handling the request'];
}

/** Serves /cairn/introducer/1.0.0 on the host. Stop it with service.stop() (before host.stop()). */
export async function serveIntroducer(host: Libp2p, options: IntroducerServiceOptions = {}): Promise<IntroducerService> {
  const service = new IntroducerService(host, options);
  await host.handle(INTRODUCER_PROTOCOL, (stream, connection) => service.handleStream(stream, connection), {
    maxInboundStreams: options.maxStreamsPerConnection ?? 8,
  });
  return service;
}
