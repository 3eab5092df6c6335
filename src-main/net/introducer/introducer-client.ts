// A node's side of the introducer: announce this node's storage server (if it is one), learn
// every other server, and keep a connection to each.
//
// The introducer session loop: dial the introducer → announce → subscribe → read pushes until
// the stream breaks → wait (backoff) → again. So a restarted introducer, or a restarted
// network, is rejoined without help, and a restarted introducer (which remembers nothing) gets
// this node's announcement again at once. While a session is up, the announcement is sent
// again every refreshIntervalMs (the introducer forgets servers it does not hear from) and as
// soon as it changes (addresses, nickname, version, or free space by minFreeSpaceChange).
//
// Every received announcement is verified here, whatever the introducer did: invalid ones
// are dropped and logged. Per server, the newest seq wins.
//
// Servers: each announced server (except this node) is dialled; when its connection drops it
// is redialled with backoff (initialMs doubling to maxMs, reset once connected). An inbound
// connection from the server counts as connected too. A new announcement with other addresses
// cuts a pending backoff short.

import type { Ed25519PrivateKey, Libp2p, PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { decodeKindedFrame, FrameError, FrameKind, FrameReader, type JsonValue } from '../frames.js';
import { RequestError, sendRequest, type RequestLimits } from '../request.js';
import {
  AnnouncementError,
  AnnouncementLimits,
  signAnnouncement,
  verifyAnnouncement,
  type AnnouncementBody,
  type SignedAnnouncement,
} from './announcement.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { TypedEmitter } from './emitter.js';
import { AnnounceRefused, type IntroducerService } from './introducer-service.js';
import { silentLogger, type IntroducerLogger } from './logger.js';
import {
  describeError,
  INTRODUCER_PROTOCOL,
  MAX_INTRODUCER_FRAME,
  parseAnnounceResponse,
  parsePush,
  PeerErrorFrame,
  readHead,
  writeEnd,
  writeHead,
  type AnnounceResponse,
  type IntroducerPush,
} from './protocol.js';
import { ServerList, snapshotOf, type ServerEntry, type ServerRecord } from './server-list.js';

/** Where the introducer is: from the grid link (introducerPeerId, introducerAddresses). */
export interface IntroducerAddress {
  readonly peerId: string;
  readonly addresses: readonly string[];
}

/**
 * This node's storage server, as it should be announced. Properties and functions are read
 * again at every check, so a getter object can follow changes.
 */
export interface StorageAnnouncer {
  readonly nickname: string;
  /** The app version, e.g. "cairn/0.1.0". */
  readonly version: string;
  /** Bytes this server will still accept. */
  freeSpace(): number | Promise<number>;
  /** Dialable multiaddrs (default: the host's own, host.getMultiaddrs()); at most 16 are sent. */
  addresses?(): readonly string[];
  /** Re-announce when free space moved by at least this many bytes (default 64 MiB). */
  readonly minFreeSpaceChange?: number;
}

export interface IntroducerClientOptions {
  readonly introducer: IntroducerAddress;
  /**
   * When this node runs the introducer itself (its peer id is introducer.peerId): the service,
   * used in-process (a node cannot dial itself).
   */
  readonly local?: IntroducerService;
  /** Set on storage servers: what to announce. Needs privateKey. */
  readonly storage?: StorageAnnouncer;
  /** The host's identity key (signs the announcement). */
  readonly privateKey?: Ed25519PrivateKey;
  /** Learn about servers (default true). Off: only announce. */
  readonly subscribe?: boolean;
  /** Dial every announced server and keep the connections up (default true). */
  readonly connectToServers?: boolean;
  /** Send the announcement again this often, changed or not (default 5 min; < the introducer's TTL). */
  readonly refreshIntervalMs?: number;
  /** Look for changes to announce (free space, addresses…) this often (default 60 s). */
  readonly changeCheckIntervalMs?: number;
  /** Redialling the introducer (default 1 s doubling to 60 s). */
  readonly introducerBackoff?: BackoffOptions;
  /** Redialling storage servers (default 1 s doubling to 60 s). */
  readonly serverBackoff?: BackoffOptions;
  /**
   * Announcements saved from an earlier run (e.g. `client.servers.all().map((s) => s.signed)`),
   * so the node can reach its servers while the introducer is down. Verified like any other.
   */
  readonly knownAnnouncements?: readonly SignedAnnouncement[];
  /** One dial attempt (default 10 s). */
  readonly dialTimeoutMs?: number;
  /** An announce exchange, or the answer to subscribe (default 30 s). */
  readonly requestTimeoutMs?: number;
  readonly log?: IntroducerLogger;
}

export interface IntroducerClientEvents {
  'server-added': ServerEntry;
  'server-updated': ServerEntry;
  /** The introducer forgot the server (it stopped re-announcing); it is no longer dialled. */
  'server-removed': { readonly peerId: string };
  'server-connected': ServerEntry;
  'server-disconnected': ServerEntry;
  'introducer-connected': { readonly peerId: string };
  'introducer-disconnected': { readonly peerId: string; readonly reason: string };
  /** This node's announcement reached the introducer. */
  announced: { readonly seq: number; readonly result: AnnounceResponse['result'] };
  /** The introducer refused this node's announcement (or, code 'local', it could not be made). */
  'announce-refused': { readonly code: string; readonly reason: string };
  /** A received announcement failed verification and was dropped. */
  'announcement-rejected': { readonly claimedPeerId?: string; readonly code: string; readonly reason: string };
  /** The introducer finished sending its snapshot (after each (re)subscription). */
  synced: { readonly servers: number };
}

const MiB = 1024 * 1024;

interface Keeper {
  readonly backoff: Backoff;
  readonly peer: PeerId;
  timer?: ReturnType<typeof setTimeout>;
  dialing?: AbortController;
}

export class IntroducerClient extends TypedEmitter<IntroducerClientEvents> {
  readonly servers = new ServerList();
  readonly introducerPeerId: string;

  private readonly host: Libp2p;
  private readonly self: string;
  private readonly introducerAddrs: Multiaddr[];
  private readonly local: IntroducerService | undefined;
  private readonly storage: StorageAnnouncer | undefined;
  private readonly privateKey: Ed25519PrivateKey | undefined;
  private readonly subscribe: boolean;
  private readonly connectToServers: boolean;
  private readonly refreshIntervalMs: number;
  private readonly changeCheckIntervalMs: number;
  private readonly serverBackoff: BackoffOptions;
  private readonly introducerBackoff: Backoff;
  private readonly dialTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly log: IntroducerLogger;
  private readonly known: readonly SignedAnnouncement[];

  private readonly keepers = new Map<string, Keeper>();
  private running = false;
  private stopController = new AbortController();
  private session: AbortController | undefined;
  private sessionUp = false;
  private loop: Promise<void> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private localChain: Promise<void> = Promise.resolve();
  private announceChain: Promise<unknown> = Promise.resolve();

  private signed: SignedAnnouncement | undefined;
  private signedBody: AnnouncementBody | undefined;
  private lastAnnouncedAt = 0;
  private minSeq = 0;

  constructor(host: Libp2p, options: IntroducerClientOptions) {
    super((event, err) => (options.log ?? silentLogger).error(`introducer client: a '${event}' listener threw: ${describeError(err)}`));
    this.host = host;
    this.self = host.peerId.toString();
    this.introducerPeerId = options.introducer.peerId;
    this.local = options.local;
    this.storage = options.storage;
    this.privateKey = options.privateKey;
    this.subscribe = options.subscribe ?? true;
    this.connectToServers = options.connectToServers ?? true;
    this.refreshIntervalMs = positive('refreshIntervalMs', options.refreshIntervalMs ?? 5 * 60_000);
    this.changeCheckIntervalMs = positive('changeCheckIntervalMs', options.changeCheckIntervalMs ?? 60_000);
    this.serverBackoff = options.serverBackoff ?? {};
    new Backoff(this.serverBackoff); // validates
    this.introducerBackoff = new Backoff(options.introducerBackoff ?? {});
    this.dialTimeoutMs = positive('dialTimeoutMs', options.dialTimeoutMs ?? 10_000);
    this.requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 30_000);
    this.log = options.log ?? silentLogger;
    this.known = options.knownAnnouncements ?? [];

    if (this.storage !== undefined) {
      if (this.privateKey === undefined) throw new RangeError('a storage server needs its privateKey to sign its announcement');
      if (!peerIdFromPrivateKeyMatches(this.privateKey, host.peerId)) {
        throw new RangeError("privateKey is not the host's identity key");
      }
    }
    const introducerPeer = peerIdFromString(this.introducerPeerId);
    if (this.introducerPeerId === this.self) {
      if (this.local === undefined) throw new RangeError('this node is the introducer: pass its IntroducerService as `local`');
      this.introducerAddrs = [];
    } else {
      if (options.introducer.addresses.length === 0) throw new RangeError('no introducer addresses');
      this.introducerAddrs = options.introducer.addresses.map((a) => withPeerId(a, introducerPeer.toString()));
    }
  }

  /** True while a session with the introducer is up (subscribed, or connected if not subscribing). */
  get introducerConnected(): boolean {
    return this.sessionUp;
  }

  /** This node's current signed announcement, if it has made one. */
  get announcement(): SignedAnnouncement | undefined {
    return this.signed;
  }

  /** Starts the introducer session loop (returns at once). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    this.host.addEventListener('peer:connect', this.onPeerConnect);
    this.host.addEventListener('peer:disconnect', this.onPeerDisconnect);
    if (this.storage !== undefined) {
      this.ticker = setInterval(() => void this.tick(), Math.min(this.changeCheckIntervalMs, this.refreshIntervalMs));
      this.ticker.unref?.();
    }
    // Servers known from before (a previous start(), or saved announcements): dial them now.
    for (const record of this.servers.records.values()) {
      if (record.state === 'self' || !this.keepers.has(record.peerId)) continue;
      record.state = 'disconnected';
      if (this.host.getConnections(peerIdFromString(record.peerId)).length > 0) this.markConnected(record.peerId);
      else this.dialSoon(record, 0);
    }
    for (const signed of this.known) this.inOrder(() => this.processAnnouncement(signed));
    this.loop = this.introducerLoop();
  }

  /** Stops everything (the host keeps running; its connections stay open). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopController.abort(new Error('introducer client stopped'));
    this.session?.abort(new Error('introducer client stopped'));
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    this.host.removeEventListener('peer:connect', this.onPeerConnect);
    this.host.removeEventListener('peer:disconnect', this.onPeerDisconnect);
    for (const [peerId, keeper] of this.keepers) {
      this.stopKeeper(keeper);
      const record = this.servers.records.get(peerId);
      if (record !== undefined && record.state === 'connecting') {
        record.state = 'disconnected';
        delete record.nextDialAt;
      }
    }
    await this.loop;
    await this.localChain;
  }

  /**
   * Checks this node's announcement for changes now (e.g. after a large upload changed its
   * free space) and sends it if it changed.
   */
  async announceNow(): Promise<void> {
    if (this.storage === undefined) throw new RangeError('this node is not a storage server');
    if (!this.sessionUp) return; // the next session starts with a fresh announcement anyway
    await this.serialAnnounce(false, this.session?.signal ?? this.stopController.signal);
  }

  // ---- the introducer session ----

  private async introducerLoop(): Promise<void> {
    while (this.running) {
      const session = new AbortController();
      this.session = session;
      let reason = 'session ended';
      try {
        reason = await this.runSession(session.signal);
      } catch (err) {
        reason = describeError(err);
        if (this.running) this.log.warn(`introducer client: introducer ${this.introducerPeerId} unreachable: ${reason}`);
      }
      session.abort(new Error(reason));
      if (this.sessionUp) {
        this.sessionUp = false;
        this.log.warn(`introducer client: lost the introducer: ${reason}`);
        this.emit('introducer-disconnected', { peerId: this.introducerPeerId, reason });
      }
      if (!this.running) break;
      await sleep(this.introducerBackoff.next(), this.stopController.signal);
    }
  }

  /** One session; returns (or throws) why it ended. */
  private async runSession(signal: AbortSignal): Promise<string> {
    if (this.local !== undefined) return this.runLocalSession(signal);
    await this.host.dial(this.introducerAddrs, { signal: anySignal(signal, this.dialTimeoutMs) });
    if (this.storage !== undefined) await this.serialAnnounce(true, signal);
    if (this.subscribe) return this.runSubscription(signal);
    this.sessionStarted();
    return this.untilIntroducerDisconnects(signal);
  }

  private sessionStarted(): void {
    this.sessionUp = true;
    this.introducerBackoff.reset();
    this.log.info(`introducer client: connected to the introducer ${this.introducerPeerId}`);
    this.emit('introducer-connected', { peerId: this.introducerPeerId });
  }

  private async runLocalSession(signal: AbortSignal): Promise<string> {
    const local = this.local as IntroducerService;
    if (this.storage !== undefined) await this.serialAnnounce(true, signal);
    let unsubscribe = (): void => undefined;
    if (this.subscribe) {
      unsubscribe = local.subscribeLocal((push) => this.inOrder(() => this.processPush(push)));
    }
    this.sessionStarted();
    try {
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      unsubscribe();
    }
    return 'stopped';
  }

  private untilIntroducerDisconnects(signal: AbortSignal): Promise<string> {
    return new Promise((resolve) => {
      const onDisconnect = (event: CustomEvent<PeerId>): void => {
        if (event.detail.toString() === this.introducerPeerId) finish('the connection to the introducer closed');
      };
      const onAbort = (): void => finish(describeError(signal.reason));
      const finish = (why: string): void => {
        this.host.removeEventListener('peer:disconnect', onDisconnect);
        signal.removeEventListener('abort', onAbort);
        resolve(why);
      };
      this.host.addEventListener('peer:disconnect', onDisconnect);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) finish(describeError(signal.reason));
      else if (this.host.getConnections(peerIdFromString(this.introducerPeerId)).length === 0) {
        finish('the connection to the introducer closed');
      }
    });
  }

  /** Subscribes and reads pushes until the stream ends; returns why it ended. */
  private async runSubscription(signal: AbortSignal): Promise<string> {
    const stream = await this.host.dialProtocol(this.introducerAddrs, INTRODUCER_PROTOCOL, {
      signal: anySignal(signal, this.requestTimeoutMs),
    });
    const reader = new FrameReader(stream);
    const onAbort = (): void => {
      if (stream.status === 'open' || stream.status === 'closing') stream.abort(new Error('subscription cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const requestSignal = anySignal(signal, this.requestTimeoutMs);
      await writeHead(stream, { op: 'subscribe' }, requestSignal);
      await writeEnd(stream, requestSignal);
      await stream.close({ signal: requestSignal });
      const noAnswer = setTimeout(() => stream.abort(new Error(`no answer within ${this.requestTimeoutMs} ms`)), this.requestTimeoutMs);
      let head: JsonValue | undefined;
      try {
        head = await readHead(reader);
      } finally {
        clearTimeout(noAnswer);
      }
      if (head === undefined) throw new FrameError('truncated', 'the introducer closed the subscription without answering');
      if (typeof head !== 'object' || head === null || Array.isArray(head) || head.result !== 'subscribed') {
        throw new FrameError('malformed', 'unexpected answer to subscribe');
      }
      this.sessionStarted();
      while (true) {
        const payload = await reader.next(MAX_INTRODUCER_FRAME);
        if (payload === undefined) return 'the introducer closed the subscription';
        const frame = decodeKindedFrame(payload);
        if (frame.kind === FrameKind.end) return 'the introducer ended the subscription';
        if (frame.kind === FrameKind.error) return `the introducer dropped the subscription (${frame.code}): ${frame.message}`;
        if (frame.kind !== FrameKind.head) throw new FrameError('malformed', 'expected a HEAD frame in the subscription');
        const push = parsePush(frame.head);
        if (push !== undefined) await this.processPush(push);
      }
    } catch (err) {
      if (err instanceof PeerErrorFrame) return `the introducer refused the subscription (${err.code}): ${err.message}`;
      if (signal.aborted) return describeError(signal.reason);
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      reader.release();
      onAbort();
    }
  }

  /** Runs in-process work (local pushes, saved announcements) one item at a time, in order. */
  private inOrder(work: () => Promise<void>): void {
    this.localChain = this.localChain.then(work).catch((err: unknown) => {
      this.log.error(`introducer client: processing an announcement failed: ${describeError(err)}`);
    });
  }

  // ---- this node's announcement ----

  private serialAnnounce(atSessionStart: boolean, signal: AbortSignal): Promise<void> {
    const run = this.announceChain.then(() => this.announceOnce(atSessionStart, signal));
    this.announceChain = run.catch(() => undefined);
    return run;
  }

  /** Periodic: announce when changed or due for a refresh. Connection failures end the session. */
  private async tick(): Promise<void> {
    if (!this.sessionUp || this.session === undefined) return;
    const session = this.session;
    try {
      await this.serialAnnounce(false, session.signal);
    } catch (err) {
      if (!session.signal.aborted) {
        this.log.warn(`introducer client: re-announcing failed, reconnecting: ${describeError(err)}`);
        session.abort(err);
      }
    }
  }

  /**
   * Signs a new announcement if anything changed, and sends it if it is new, if `always`,
   * or if a refresh is due. Refusals by the introducer are reported, not thrown; connection
   * failures throw.
   */
  private async announceOnce(always: boolean, signal: AbortSignal): Promise<void> {
    const before = this.signed;
    let signed: SignedAnnouncement;
    try {
      signed = await this.prepareAnnouncement(false);
    } catch (err) {
      // A local problem (no address yet, free space unknown): not the introducer's fault.
      this.log.error(`introducer client: cannot make our announcement: ${describeError(err)}`);
      this.emit('announce-refused', { code: 'local', reason: describeError(err) });
      return;
    }
    const due = Date.now() - this.lastAnnouncedAt >= this.refreshIntervalMs;
    if (!always && signed === before && !due) return;
    try {
      let response = await this.sendAnnouncement(signed, signal);
      if (response.result === 'stale') {
        // The introducer holds a higher seq from an earlier run of this node (its clock was
        // ahead then): sign above it.
        this.minSeq = response.seq + 1;
        this.log.info(`introducer client: the introducer holds seq ${response.seq} for us; announcing above it`);
        signed = await this.prepareAnnouncement(true);
        response = await this.sendAnnouncement(signed, signal);
        if (response.result === 'stale') throw new AnnounceRefused('stale', `the introducer keeps seq ${response.seq}`);
      }
      this.lastAnnouncedAt = Date.now();
      const seq = this.signedBody?.seq ?? 0;
      this.log[response.result === 'accepted' ? 'info' : 'debug'](`introducer client: announced seq ${seq} (${response.result})`);
      this.emit('announced', { seq, result: response.result });
    } catch (err) {
      const refusal =
        err instanceof AnnounceRefused
          ? { code: err.code, reason: err.message }
          : err instanceof RequestError && err.code === 'remote'
            ? { code: err.remoteCode ?? 'remote', reason: err.message }
            : undefined;
      if (refusal === undefined) throw err;
      this.log.error(`introducer client: the introducer refused our announcement (${refusal.code}): ${refusal.reason}`);
      this.emit('announce-refused', refusal);
    }
  }

  private async sendAnnouncement(signed: SignedAnnouncement, signal: AbortSignal): Promise<AnnounceResponse> {
    if (this.local !== undefined) return this.local.announceLocal(signed);
    const response = await sendRequest(
      this.host,
      this.introducerAddrs,
      INTRODUCER_PROTOCOL,
      { head: { op: 'announce', announcement: { msg: signed.msg, sig: signed.sig } } },
      announceLimits(this.requestTimeoutMs),
      // The introducer answers one request per stream (subscriptions hold theirs open).
      { signal, reuseStream: false },
    );
    return parseAnnounceResponse(response.head);
  }

  /** The current announcement; signs a new one (higher seq) only if something changed. */
  private async prepareAnnouncement(force: boolean): Promise<SignedAnnouncement> {
    const storage = this.storage as StorageAnnouncer;
    const freeSpace = Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(await storage.freeSpace())));
    const addresses = this.ownAddresses();
    const previous = this.signedBody;
    const minChange = storage.minFreeSpaceChange ?? 64 * MiB;
    const changed =
      force ||
      previous === undefined ||
      this.signed === undefined ||
      previous.nickname !== storage.nickname ||
      previous.version !== storage.version ||
      previous.addresses.join('\n') !== addresses.join('\n') ||
      Math.abs(previous.freeSpace - freeSpace) >= minChange ||
      (freeSpace === 0) !== (previous.freeSpace === 0);
    if (!changed && this.signed !== undefined) return this.signed;
    const now = Date.now();
    const body: AnnouncementBody = {
      peerId: this.self,
      addresses,
      nickname: storage.nickname,
      version: storage.version,
      freeSpace,
      seq: Math.max(now, (previous?.seq ?? 0) + 1, this.minSeq),
      issuedAt: now,
    };
    this.signed = await signAnnouncement(this.privateKey as Ed25519PrivateKey, body);
    this.signedBody = body;
    return this.signed;
  }

  private ownAddresses(): string[] {
    const all = this.storage?.addresses?.() ?? this.host.getMultiaddrs().map((a) => a.toString());
    const usable = [...new Set(all)].filter((a) => a.length <= AnnouncementLimits.maxAddressChars);
    if (usable.length === 0) throw new RangeError('this node has no address to announce (is the host listening?)');
    return usable.slice(0, AnnouncementLimits.maxAddresses);
  }

  // ---- received announcements ----

  private async processPush(push: IntroducerPush): Promise<void> {
    if (!this.running) return;
    switch (push.type) {
      case 'announcement':
        await this.processAnnouncement(push.announcement);
        return;
      case 'synced':
        this.log.debug(`introducer client: synced, ${this.servers.size} server(s) known`);
        this.emit('synced', { servers: this.servers.size });
        return;
      case 'expired':
        this.removeServer(push.peerId);
        return;
    }
  }

  private async processAnnouncement(signed: unknown): Promise<void> {
    let body: AnnouncementBody;
    try {
      body = await verifyAnnouncement(signed);
    } catch (err) {
      const code = err instanceof AnnouncementError ? err.code : 'malformed';
      const claimedPeerId = claimedPeerIdOf(signed);
      const reason = describeError(err);
      this.log.warn(`introducer client: dropped an invalid announcement${claimedPeerId === undefined ? '' : ` claiming ${claimedPeerId}`} (${code}): ${reason}`);
      this.emit('announcement-rejected', { ...(claimedPeerId === undefined ? {} : { claimedPeerId }), code, reason });
      return;
    }
    if (!this.running) return;
    const { msg, sig } = signed as SignedAnnouncement;
    const existing = this.servers.records.get(body.peerId);
    if (existing !== undefined) {
      if (body.seq < existing.announcement.seq) return; // older than what we have
      if (body.seq === existing.announcement.seq) {
        if (msg !== existing.signed.msg) {
          this.log.warn(`introducer client: ignoring a second, different announcement at seq ${body.seq} from ${body.peerId}`);
        }
        return;
      }
      const moved = existing.announcement.addresses.join('\n') !== body.addresses.join('\n');
      existing.announcement = body;
      existing.signed = { msg, sig };
      existing.receivedAt = Date.now();
      this.log.info(`introducer client: server ${body.peerId} "${body.nickname}" updated (seq ${body.seq})`);
      this.emit('server-updated', snapshotOf(existing));
      if (moved && existing.state === 'connecting') {
        const keeper = this.keepers.get(body.peerId);
        keeper?.backoff.reset();
        this.dialSoon(existing, 0);
      }
      return;
    }
    const record: ServerRecord = {
      peerId: body.peerId,
      announcement: body,
      signed: { msg, sig },
      state: body.peerId === this.self ? 'self' : this.connectToServers ? 'connecting' : 'disconnected',
      receivedAt: Date.now(),
      failures: 0,
    };
    this.servers.records.set(body.peerId, record);
    this.log.info(`introducer client: new server ${body.peerId} "${body.nickname}" (seq ${body.seq})`);
    this.emit('server-added', snapshotOf(record));
    if (record.state === 'connecting') this.keepServer(record);
  }

  private removeServer(peerId: string): void {
    const record = this.servers.records.get(peerId);
    if (record === undefined) return;
    this.servers.records.delete(peerId);
    const keeper = this.keepers.get(peerId);
    if (keeper !== undefined) {
      this.stopKeeper(keeper);
      this.keepers.delete(peerId);
      this.host.peerStore.merge(keeper.peer, { tags: { [SERVER_TAG]: undefined } }).catch(() => undefined);
    }
    this.log.info(`introducer client: the introducer forgot server ${peerId} "${record.announcement.nickname}"`);
    this.emit('server-removed', { peerId });
  }

  // ---- connections to servers ----

  private keepServer(record: ServerRecord): void {
    const peer = peerIdFromString(record.peerId);
    const keeper: Keeper = { backoff: new Backoff(this.serverBackoff), peer };
    this.keepers.set(record.peerId, keeper);
    // A tagged peer is the last the connection manager would prune.
    this.host.peerStore.merge(peer, { tags: { [SERVER_TAG]: { value: 50 } } }).catch(() => undefined);
    if (this.host.getConnections(peer).length > 0) this.markConnected(record.peerId);
    else this.dialSoon(record, 0);
  }

  private stopKeeper(keeper: Keeper): void {
    if (keeper.timer !== undefined) clearTimeout(keeper.timer);
    keeper.timer = undefined;
    keeper.dialing?.abort(new Error('stopped'));
  }

  private dialSoon(record: ServerRecord, delayMs: number): void {
    const keeper = this.keepers.get(record.peerId);
    if (keeper === undefined || !this.running) return;
    if (keeper.timer !== undefined) clearTimeout(keeper.timer);
    record.state = 'connecting';
    record.nextDialAt = Date.now() + delayMs;
    keeper.timer = setTimeout(() => {
      keeper.timer = undefined;
      void this.dialServer(record.peerId);
    }, delayMs);
  }

  private async dialServer(peerId: string): Promise<void> {
    const record = this.servers.records.get(peerId);
    const keeper = this.keepers.get(peerId);
    if (record === undefined || keeper === undefined || !this.running) return;
    if (record.state !== 'connecting' || keeper.dialing !== undefined) return;
    delete record.nextDialAt;
    const controller = new AbortController();
    keeper.dialing = controller;
    try {
      const addrs = record.announcement.addresses.map((a) => withPeerId(a, peerId));
      await this.host.dial(addrs, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.dialTimeoutMs)]) });
      if (this.host.getConnections(keeper.peer).length > 0) this.markConnected(peerId);
    } catch (err) {
      if (controller.signal.aborted || !this.running || this.servers.records.get(peerId) !== record) return;
      if (this.host.getConnections(keeper.peer).length > 0) {
        this.markConnected(peerId); // it dialled us meanwhile
        return;
      }
      record.failures += 1;
      record.lastError = describeError(err);
      const delay = keeper.backoff.next();
      const level = record.failures === 1 ? 'info' : 'debug';
      this.log[level](
        `introducer client: cannot reach server ${peerId} "${record.announcement.nickname}" ` +
          `(${record.failures} failure(s)): ${record.lastError}; next try in ${delay} ms`,
      );
      this.dialSoon(record, delay);
    } finally {
      if (keeper.dialing === controller) keeper.dialing = undefined;
    }
  }

  private markConnected(peerId: string): void {
    const record = this.servers.records.get(peerId);
    const keeper = this.keepers.get(peerId);
    if (record === undefined || keeper === undefined || record.state === 'connected') return;
    if (keeper.timer !== undefined) clearTimeout(keeper.timer);
    keeper.timer = undefined;
    keeper.backoff.reset();
    record.state = 'connected';
    record.connectedSince = Date.now();
    record.failures = 0;
    delete record.lastError;
    delete record.nextDialAt;
    this.log.info(`introducer client: connected to server ${peerId} "${record.announcement.nickname}"`);
    this.emit('server-connected', snapshotOf(record));
  }

  private readonly onPeerConnect = (event: CustomEvent<PeerId>): void => {
    if (this.running) this.markConnected(event.detail.toString());
  };

  private readonly onPeerDisconnect = (event: CustomEvent<PeerId>): void => {
    const peerId = event.detail.toString();
    const record = this.servers.records.get(peerId);
    const keeper = this.keepers.get(peerId);
    if (!this.running || record === undefined || keeper === undefined || record.state !== 'connected') return;
    record.state = 'connecting';
    delete record.connectedSince;
    const delay = keeper.backoff.next();
    this.log.info(`introducer client: lost server ${peerId} "${record.announcement.nickname}"; redialling in ${delay} ms`);
    this.dialSoon(record, delay);
    this.emit('server-disconnected', snapshotOf(record));
  };
}

/** Peer store tag on announced servers. */
export const SERVER_TAG = 'cairn-storage-server';

function announceLimits(timeoutMs: number): RequestLimits {
  return { maxHeadBytes: MAX_INTRODUCER_FRAME - 1, maxChunkBytes: 1024, maxBodyBytes: 1024, timeoutMs };
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`introducer client option ${name} must be a positive integer`);
  return value;
}

function peerIdFromPrivateKeyMatches(key: Ed25519PrivateKey, peer: PeerId): boolean {
  return peer.publicKey !== undefined && peer.publicKey.equals(key.publicKey);
}

/** A multiaddr that ends in /p2p/<peerId> (added if missing; another peer id is an error). */
function withPeerId(address: string, peerId: string): Multiaddr {
  const addr = multiaddr(address);
  const named = addr.getComponents().find((c) => c.name === 'p2p');
  if (named === undefined) return addr.encapsulate(`/p2p/${peerId}`);
  if (named.value !== peerId) throw new RangeError(`address ${address} names another peer than ${peerId}`);
  return addr;
}

/** For logs only: the peer id an (invalid) announcement claims, if it can be read. */
function claimedPeerIdOf(signed: unknown): string | undefined {
  try {
    const msg = (signed as { msg?: unknown } | null)?.msg;
    if (typeof msg !== 'string' || msg.length > AnnouncementLimits.maxMessageBytes) return undefined;
    const peerId = (JSON.parse(msg) as { peerId?: unknown } | null)?.peerId;
    return typeof peerId === 'string' && /^[1-9A-HJ-NP-Za-km-z]{1,128}$/.test(peerId) ? peerId : undefined;
  } catch {
    return undefined;
  }
}

function anySignal(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
