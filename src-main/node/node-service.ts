import '../../src-shared/polyfills/promise-with-resolvers.js';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { peerIdFromString } from '@libp2p/peer-id';
import { immutableFileSizeOf, isWriteCap, type Cap, type DirectoryCap, type FileCap, type MutableReadCap, type MutableWriteCap } from '../../src-shared/caps/index.js';
import { ReadOnlyDirectoryError, type DirectoryEntry, type ResolvedPath, type VdriveOptions } from '../grid/vdrive/index.js';
import { leaseSeedOfPeer } from '../core/lease-secrets.js';
import { SegmentWorkerPool } from '../core/workers/segment-worker-pool.js';
import { downloadImmutable } from '../grid/downloader.js';
import type { ByteRange } from '../core/immutable/decoder.js';
import type { GridServer } from '../grid/grid-server.js';
import { uploadImmutable, type ChunkReading } from '../grid/uploader.js';
import { createCairnHost, type CairnHost, type GridMembership } from '../net/host.js';
import { IntroducerClient, serveIntroducer, type IntroducerService, type ServerEntry } from '../net/introducer/index.js';
import { RemoteStorageServer } from '../net/storage-protocol/client.js';
import { serveStorage, type StorageService } from '../net/storage-protocol/server.js';
import { StorageBackend } from '../storage/backend.js';
import { LeaseCrawler, type CrawlResult } from '../storage/lease-crawler.js';
import { startApiServer } from '../frontends/web/api-server.js';
import { WebShell } from '../frontends/web/web-shell.js';
import type { CheckRequest, CheckResult, DeepCheckEntry, LinkRequest, NodeApi, NodeEvent, NodeStatistics, NodeStatus, UploadBody } from '../frontends/web/node-api.js';
import { OPERATION_KINDS, OperationTracker } from './operations.js';
import type { InitialChild } from '../grid/vdrive/index.js';
import { NodeVdrive } from './node-vdrive.js';
import { createMutableFile, overwriteMutableFile, readMutableFile, type MutableFileVersion } from './mutable-files.js';
import { gridRootCap, gridRootKeys } from './grid-root.js';
import { manifestEntryOf, type ManifestEntry } from './manifest.js';
import { CapChecker } from './cap-checker.js';
import { walkTree } from './tree-walk.js';
import { readFileChunks } from './local-files.js';
import { dialableAddresses } from './listen-address.js';
import { describeLeaseExpiry, leaseExpirySettings } from './lease-expiry-config.js';
import { loadNodeDirectory, uploadEncoding, type NodeConfig, type NodeDirectory } from './node-dir.js';
import type { NodeLog } from './node-log.js';
import { PeerLatencyMonitor } from './peer-latency.js';
import { createInvite, type Invite } from './node-invite.js';
import { BackupJobs } from './backup-jobs.js';
import { BackupDurability } from './backup-durability.js';
import type { BackupRunner } from '../backup/backup-job.js';
import { runBackup } from '../backup/backup-run.js';
import { runRestore } from '../backup/restore-run.js';
import type { BackupContext, BackupEventListener, BackupRequest, BackupSummary, RestoreRequest, RestoreSummary } from '../backup/backup-request.js';
import { nodeBackupContext } from './backup-context.js';
import { NodeSettings } from './node-settings.js';
import { readDebugLog } from './debug-log.js';
import { secretStringsOf } from './node-secrets.js';

export const APP_VERSION = 'cairn/0.1.0';

export interface NodeServiceOptions {
  readonly log: NodeLog;
  /** shorter timers for tests (announce refresh, backoff caps) */
  readonly fastTimers?: boolean;
}

/**
 * The running node: libp2p host, storage server, introducer (on the grid's first node),
 * introducer client, grid client and the localhost web API. Every frontend (CLI, web UI,
 * desktop app) goes through it.
 */
export class NodeService implements NodeApi {
  readonly operations = new OperationTracker();
  private readonly startedAt = Date.now();
  private readonly remotes = new Map<string, GridServer>();
  private apiServer: Server | undefined;
  /** the web UI and its browser logins */
  webShell: WebShell | undefined;
  private stopped = false;
  private readonly vdrive: NodeVdrive;
  readonly backupJobs: BackupJobs;
  readonly backupDurability: BackupDurability;
  private readonly checker: CapChecker;
  /** nickname, reserved space and encoding: read, saved to cairn.json and applied live */
  readonly settings: NodeSettings = new NodeSettings(this);

  private constructor(
    /** replaced when the settings change (applyConfig) */
    public node: NodeDirectory,
    readonly host: CairnHost,
    private readonly log: NodeLog,
    private readonly backend: StorageBackend | undefined,
    private readonly crawler: LeaseCrawler | undefined,
    private readonly storageService: StorageService | undefined,
    private readonly introducerService: IntroducerService | undefined,
    readonly introducer: IntroducerClient,
    private readonly latency: PeerLatencyMonitor,
    private readonly pool: SegmentWorkerPool,
  ) {
    this.vdrive = new NodeVdrive({
      options: () => this.vdriveOptions(),
      root: { cap: gridRootCap(node.gridLink), keys: gridRootKeys(node.gridLink) },
    });
    this.backupJobs = new BackupJobs({
      dir: node.dir,
      runner: (request) => this.runBackupForJob(request),
      gridReady: () => this.gridServers().length >= uploadEncoding(this.node).happy,
      grid: { resolve: (d, p) => this.resolvePath(d, p), list: (d) => this.listDirectory(d), unlink: (d, p) => this.unlink(d, p) },
      log,
    });
    const currentHappy = (): number => uploadEncoding(this.node).happy;
    this.backupDurability = new BackupDurability({
      dir: node.dir,
      log,
      grid: { resolve: (d, p) => this.resolvePath(d, p), list: (d) => this.listDirectory(d), unlink: (d, p) => this.unlink(d, p) },
      servers: () => this.gridServers(),
      leaseSecret: node.leaseSecret,
      // read at each check, so a changed encoding (NodeSettings) is used at once
      get happy(): number {
        return currentHappy();
      },
      targetOf: (job) => this.backupJobs.targetOf(job),
      repair: async (cap) => void (await this.check(cap, { verify: false, repair: true, addLease: true })),
      maintainMutable: async (cap) => void (await this.check(cap, { verify: false, repair: isWriteCap(cap), addLease: true })),
    });
    this.checker = new CapChecker({ servers: () => this.gridServers(), encoding: () => uploadEncoding(this.node), leaseSecret: node.leaseSecret });
  }

  /**
   * Starts the node's parts in order. If one fails (the web port is taken, the storage
   * folder unusable), those already started are stopped before the error is thrown: a node
   * that cannot start must not stay half up, listening and connected, with its process alive.
   */
  static async start(dir: string, options: NodeServiceOptions): Promise<NodeService> {
    const { log } = options;
    const node = await loadNodeDirectory(dir);
    log.addSecrets(...secretStringsOf(node));
    const { config } = node;
    const host = await createCairnHost({
      privateKey: node.nodeKey,
      listen: config.listen,
      gridKey: node.gridLink.gridKey,
      loopbackLimits: true,
      membership: membershipFromEnv(process.env.CAIRN_NET_MEMBERSHIP),
    });
    // what to stop if a later step fails, until the service exists and stops everything itself
    const startedParts: Array<() => Promise<unknown> | void> = [() => host.stop()];
    let service: NodeService | undefined;
    try {
      const backend = config.storage.enabled
        ? await StorageBackend.open({
            dir: join(dir, 'storage'),
            reservedSpace: config.storage.reservedSpace,
            applicationVersion: APP_VERSION,
            // mutable containers record the server that accepted their write enabler
            nodeId: leaseSeedOfPeer(host.peerId.toMultihash().bytes),
            onWarning: (m) => log.warn(m),
          })
        : undefined;
      if (backend) startedParts.push(() => backend.close());
      const expiry = leaseExpirySettings(config.storage.leaseExpiry);
      const crawler = backend && new LeaseCrawler(backend, { expiration: expiry.policy, onRun: (r) => logCrawl(log, r), onError: (e) => log.warn(`lease crawler: ${(e as Error).message}`) });
      crawler?.start(expiry.crawlIntervalMs);
      if (crawler) {
        startedParts.push(() => crawler.stop());
        log.info(`lease expiry ${describeLeaseExpiry(expiry)}`);
      }
      const storageService = backend && (await serveStorage(host, backend, { log: (level, message) => log[level](`storage: ${message}`) }));
      if (storageService) startedParts.push(() => storageService.close());
      const introducerService = config.introducer ? await serveIntroducer(host, { log }) : undefined;
      if (introducerService) startedParts.push(() => introducerService.stop());
      const announceAddresses = config.listen.flatMap(dialableAddresses);
      const fast = options.fastTimers === true;
      const introducer = new IntroducerClient(host, {
        introducer: { peerId: node.gridLink.introducerPeerId, addresses: node.gridLink.introducerAddresses },
        local: introducerService,
        privateKey: node.nodeKey,
        storage: backend && {
          // read at every announcement check, so a changed nickname is announced soon after
          get nickname(): string {
            return service?.node.config.nickname ?? config.nickname;
          },
          version: APP_VERSION,
          freeSpace: async () => (await backend.version()).availableSpace,
          addresses: () => announceAddresses,
        },
        log,
        ...(fast ? { refreshIntervalMs: 2_000, changeCheckIntervalMs: 1_000, introducerBackoff: { initialMs: 100, maxMs: 1_000 }, serverBackoff: { initialMs: 100, maxMs: 1_000 } } : {}),
      });
      // Not much faster even for tests: every node pings every other one, so a loopback grid
      // of n nodes runs n×(n−1) pings per interval on one machine.
      const latency = new PeerLatencyMonitor(host, introducer, fast ? { intervalMs: 10_000 } : {});
      const pool = new SegmentWorkerPool();
      service = new NodeService(node, host, log, backend, crawler, storageService, introducerService, introducer, latency, pool);
      latency.start();
      introducer.start();
      await mkdir(join(dir, 'tmp'), { recursive: true, mode: 0o700 });
      await service.backupJobs.start(fast ? 1_000 : 30_000);
      await service.backupDurability.start(fast ? 5_000 : 60_000);
      service.webShell = new WebShell({ nodeDir: dir, port: config.web.port });
      service.apiServer = await startApiServer({ port: config.web.port, token: node.apiToken, node: service, spoolDir: join(dir, 'tmp'), log: (m) => log.error(m), webShell: service.webShell });
      return service;
    } catch (error) {
      const stopping = service !== undefined ? [() => service!.stop()] : startedParts.reverse();
      for (const stop of stopping) await Promise.resolve(stop()).catch((e: unknown) => log.warn(`stopping after a failed start: ${(e as Error).message}`));
      throw error;
    }
  }

  /** Resolves once this node can reach the introducer (at once on the introducer itself). */
  whenIntroducerConnected(): Promise<void> {
    // it may have connected already, while the node was still starting
    if (this.introducerService !== undefined || this.introducer.introducerConnected) return Promise.resolve();
    return new Promise((resolve) => this.introducer.once('introducer-connected', () => resolve()));
  }

  /** The storage servers usable now: connected peers and this node's own storage. */
  gridServers(): GridServer[] {
    return this.introducer.servers.usable().flatMap((entry) => {
      const server = this.gridServer(entry);
      return server === undefined ? [] : [server];
    });
  }

  private gridServer(entry: ServerEntry): GridServer | undefined {
    const peerId = peerIdFromString(entry.peerId);
    const seed = peerId.toMultihash().bytes;
    if (entry.state === 'self') {
      if (this.backend === undefined) return undefined;
      return { id: entry.peerId, nickname: entry.announcement.nickname, permutationSeed: seed, leaseSeed: leaseSeedOfPeer(seed), api: this.backend };
    }
    const known = this.remotes.get(entry.peerId);
    if (known !== undefined) return known;
    const api = new RemoteStorageServer(this.host, peerId, entry.announcement.addresses, { name: entry.announcement.nickname });
    const remote: GridServer = { id: entry.peerId, nickname: entry.announcement.nickname, permutationSeed: seed, leaseSeed: leaseSeedOfPeer(seed), api };
    this.remotes.set(entry.peerId, remote);
    return remote;
  }

  /** `signal` cancels the upload: its partial shares are aborted and it rejects with the signal's reason. */
  async uploadFile(body: UploadBody, signal?: AbortSignal): Promise<FileCap> {
    const started = Date.now();
    const size = 'bytes' in body ? body.bytes.length : body.size;
    const open = 'bytes' in body ? async function* () { yield body.bytes; } : (reading?: ChunkReading) => readFileChunks(body.path, reading?.chunkSize, reading?.allocate);
    const result = await this.operations.run('upload', size, (operation) =>
      uploadImmutable(
        { size, open },
        {
          servers: this.gridServers(),
          encoding: uploadEncoding(this.node),
          leaseSecret: this.node.leaseSecret,
          convergenceSecret: this.node.convergenceSecret,
          segmentEncoder: this.pool,
          onProgress: (done) => operation.progress(done),
          ...(signal === undefined ? {} : { signal }),
        },
      ),
    );
    this.log.info(`uploaded ${size} bytes to ${result.placement.size} servers (happiness ${result.happiness}) in ${Date.now() - started} ms`);
    return result.cap;
  }

  download(cap: FileCap, range?: ByteRange): AsyncIterable<Uint8Array> {
    const size = immutableFileSizeOf(cap);
    const length = range === undefined ? size : range.end - range.start;
    return this.operations.track(
      'download',
      length,
      downloadImmutable(cap, {
        servers: this.gridServers(),
        ...(range === undefined ? {} : { range }),
        onBadShare: (error) => this.log.warn(`download: rejected ${error.message}; the server was sent an advisory`),
      }),
    );
  }

  /** How directory and mutable-file operations reach the grid now. */
  private vdriveOptions(): VdriveOptions {
    return {
      servers: this.gridServers(),
      encoding: uploadEncoding(this.node),
      leaseSecret: this.node.leaseSecret,
      convergenceSecret: this.node.convergenceSecret,
      // two members editing one directory retry each other's conflicts
      attempts: 10,
    };
  }

  resolvePath(dir: DirectoryCap, path: string): Promise<ResolvedPath> {
    return this.vdrive.resolve(dir, path);
  }

  listDirectory(dir: DirectoryCap): Promise<DirectoryEntry[]> {
    return this.vdrive.list(dir);
  }

  createDirectory(children: readonly InitialChild[] = []): Promise<DirectoryCap> {
    return this.operations.run('directory', undefined, () => this.vdrive.createDirectory(children));
  }

  makeDirectory(dir: DirectoryCap, path: string): Promise<DirectoryCap> {
    return this.operations.run('directory', undefined, () => this.vdrive.mkdir(dir, path));
  }

  link(dir: DirectoryCap, path: string, cap: Cap, options: LinkRequest): Promise<void> {
    return this.operations.run('directory', undefined, () => this.vdrive.link(dir, path, cap, options));
  }

  /** `signal` cancels it: until the upload is linked, a cancel leaves nothing linked. */
  async uploadAndLink(dir: DirectoryCap, path: string, body: UploadBody, options: LinkRequest, signal?: AbortSignal): Promise<FileCap> {
    // The parent is checked first, so a bad path or a read-only directory wastes no upload.
    const { parent, name } = await this.vdrive.parentOf(dir, path, 'upload to');
    if (!isWriteCap(parent)) throw new ReadOnlyDirectoryError(`cannot link ${JSON.stringify(name)}: the directory is read-only; changing a directory needs its write cap`);
    signal?.throwIfAborted();
    const cap = await this.uploadFile(body, signal);
    signal?.throwIfAborted();
    const size = 'bytes' in body ? body.bytes.length : body.size;
    await this.link(dir, path, cap, { ...options, metadata: { ...options.metadata, size } });
    return cap;
  }

  unlink(dir: DirectoryCap, path: string): Promise<DirectoryEntry> {
    return this.operations.run('directory', undefined, () => this.vdrive.unlink(dir, path));
  }

  move(from: DirectoryCap, fromPath: string, to: DirectoryCap, toPath: string, options: LinkRequest): Promise<void> {
    return this.operations.run('directory', undefined, () => this.vdrive.move(from, fromPath, to, toPath, options));
  }

  async *manifest(dir: DirectoryCap): AsyncGenerator<ManifestEntry> {
    for await (const node of walkTree(dir, (d) => this.vdrive.list(d))) yield manifestEntryOf(node);
  }

  async *deepCheck(dir: DirectoryCap, options: CheckRequest): AsyncGenerator<DeepCheckEntry> {
    for await (const node of walkTree(dir, (d) => this.vdrive.list(d))) {
      // A read-only part of the tree is checked, and says why it was not repaired.
      const readOnlyMutable = options.repair && !isWriteCap(node.cap) && isMutable(node.cap);
      const results = await this.check(node.cap, readOnlyMutable ? { ...options, repair: false } : options);
      yield { ...manifestEntryOf(node), results: readOnlyMutable && !results.healthy ? { ...results, repair: 'not possible from here: repair of a mutable file needs its write cap' } : results };
    }
  }

  createMutableFile(contents: Uint8Array): Promise<MutableWriteCap> {
    return this.operations.run('mutable', contents.length, () => createMutableFile(contents, this.vdriveOptions()));
  }

  readMutableFile(cap: MutableReadCap | MutableWriteCap): Promise<MutableFileVersion> {
    return readMutableFile(cap, this.vdriveOptions());
  }

  overwriteMutableFile(cap: MutableWriteCap, contents: Uint8Array, options: { ifVersion?: string }): Promise<string> {
    return this.operations.run('mutable', contents.length, () => overwriteMutableFile(cap, contents, { ...this.vdriveOptions(), ...options }));
  }

  async statistics(): Promise<NodeStatistics> {
    const stats = this.backend && (await this.backend.stats());
    const servers = this.introducer.servers.all();
    return {
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      operations: Object.fromEntries(OPERATION_KINDS.map((kind) => [kind, this.operations.totals(kind)])) as NodeStatistics['operations'],
      storage: stats && { shares: stats.shares, bytesUsed: stats.bytesUsed, promisedBytes: stats.promisedBytes },
      servers: { known: servers.length, connected: servers.filter((e) => e.state === 'connected' || e.state === 'self').length },
    };
  }

  subscribe(listener: (event: NodeEvent) => void): () => void {
    const unsubscribeOperations = this.operations.subscribe((operation) => listener({ type: 'operation', operation }));
    const statusChanged = (): void => listener({ type: 'status' });
    const events = ['introducer-connected', 'introducer-disconnected', 'server-added', 'server-removed', 'server-connected', 'server-disconnected'] as const;
    for (const name of events) this.introducer.on(name, statusChanged);
    const unsubscribeBackupJobs = this.backupJobs.onChange(statusChanged);
    return () => {
      unsubscribeOperations();
      unsubscribeBackupJobs();
      for (const name of events) this.introducer.off(name, statusChanged);
    };
  }

  /** Checks (and with the options verifies, repairs, renews leases of) any file or directory. */
  async check(cap: Cap, options: CheckRequest): Promise<CheckResult> {
    const checked = await this.operations.run('check', undefined, () => this.checker.check(cap, options));
    const result = this.vdrive.unpublishedRootChecked(cap, (checked.versions?.length ?? 0) + checked.corruptShares.length)
      ? {
          ...checked,
          healthy: true,
          recoverable: true,
          ...(options.repair ? { repair: 'nothing to do: there is nothing to repair before the first write' } : {}),
          summary: "healthy: the grid's shared directory is not published yet (it reads as empty until its first write)",
        }
      : checked;
    this.log.info(`check of a ${cap.kind === 'dir' ? 'directory' : 'file'}: ${result.summary}${result.repair === undefined ? '' : `; repair: ${result.repair}`}`);
    return result;
  }

  async status(): Promise<NodeStatus> {
    const stats = this.backend && (await this.backend.stats());
    return {
      nickname: this.node.config.nickname,
      peerId: this.host.peerId.toString(),
      gridName: this.node.gridLink.gridName,
      introducer: { connected: this.introducerService !== undefined || this.introducer.introducerConnected, runsHere: this.introducerService !== undefined },
      encoding: uploadEncoding(this.node),
      storage: stats && { enabled: true, shares: stats.shares, bytesUsed: stats.bytesUsed },
      operations: this.operations.running,
      backups: { ...(await this.backupJobs.status()), durability: this.backupDurability.status() },
      peers: this.introducer.servers.all().map((entry) => {
        const roundTrip = entry.state === 'connected' ? this.latency.roundTrip(entry.peerId) : undefined;
        const signsOfLife = [entry.receivedAt, entry.connectedSince ?? 0, this.latency.lastSeen(entry.peerId) ?? 0];
        return {
          peerId: entry.peerId,
          nickname: entry.announcement.nickname,
          addresses: entry.announcement.addresses,
          connected: entry.state === 'connected' || entry.state === 'self',
          lastSeen: entry.state === 'self' ? Date.now() : Math.max(...signsOfLife),
          roundTripMs: roundTrip?.milliseconds,
          roundTripMeasuredAt: roundTrip?.measuredAt,
          freeSpace: entry.announcement.freeSpace,
        };
      }),
    };
  }

  /** What a backup job runs: the backup engine, as `cairn backup` runs it. */
  private runBackupForJob(request: Parameters<BackupRunner>[0]): ReturnType<BackupRunner> {
    return this.backup({ source: request.source, target: request.target, exclude: request.exclude }, () => undefined);
  }

  /** Backs up a local folder as a new snapshot (src-main/backup/backup-run.ts); `onEvent` gets progress and problems. */
  backup(request: BackupRequest, onEvent: BackupEventListener): Promise<BackupSummary> {
    return this.operations.run('backup', undefined, (operation) =>
      runBackup(request, this.backupContext(), (event) => {
        if (event.type === 'progress') operation.progress(event.bytesDone, event.bytesTotal);
        onEvent(event);
      }),
    );
  }

  /** Restores a snapshot, or a file or folder in one, to a local path (src-main/backup/restore-run.ts). */
  restore(request: RestoreRequest, onEvent: BackupEventListener): Promise<RestoreSummary> {
    return this.operations.run('restore', undefined, (operation) =>
      runRestore(request, this.backupContext(), (event) => {
        if (event.type === 'progress') operation.progress(event.bytesDone, event.bytesTotal);
        onEvent(event);
      }),
    );
  }

  /** A fresh invite code to this grid and its passphrase (POST /invite). */
  createInvite(): Promise<Invite> {
    return createInvite(this.node);
  }

  /** Runs with a changed config at once (NodeSettings has saved it to cairn.json). */
  applyConfig(config: NodeConfig): void {
    this.node = { ...this.node, config };
    if (config.storage.enabled) this.backend?.setReservedSpace(config.storage.reservedSpace);
    this.log.info(`settings changed: nickname "${config.nickname}", reserved space ${config.storage.reservedSpace} bytes, encoding ${JSON.stringify(uploadEncoding(this.node))}`);
  }

  /** The end of this node's log, every secret redacted (GET /debug-log, the desktop app's export). */
  debugLog(): Promise<string> {
    return readDebugLog(this.node.dir, (text) => this.log.redactText(text));
  }

  private backupContext(): BackupContext {
    return nodeBackupContext({ node: this.node, servers: () => this.gridServers(), vdrive: this.vdrive, vdriveOptions: () => this.vdriveOptions(), pool: this.pool, download: (cap) => this.download(cap) });
  }

  /** Stops everything in order; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.backupJobs.stop();
    await this.backupDurability.stop();
    await new Promise<void>((resolve) => (this.apiServer ? this.apiServer.close(() => resolve()) : resolve()));
    this.apiServer?.closeAllConnections();
    this.latency.stop();
    await this.introducer.stop();
    await this.introducerService?.stop();
    await this.storageService?.close();
    await this.crawler?.stop();
    await this.host.stop();
    await this.backend?.close();
    await this.pool.close();
  }
}

/** Whether the cap names a mutable file or a mutable directory. */
function isMutable(cap: Cap): boolean {
  const file = cap.kind === 'dir' ? cap.file : cap;
  return file.kind === 'ssk-ed25519' || file.kind === 'ssk-ed25519-ro' || file.kind === 'ssk-ed25519-verifier';
}

/** CAIRN_NET_MEMBERSHIP=pnet switches the grid gate for benchmarks (every node must agree). */
function membershipFromEnv(value: string | undefined): GridMembership | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'pnet' || value === 'noise-prologue') return value;
  throw new Error(`CAIRN_NET_MEMBERSHIP must be "noise-prologue" or "pnet", not ${JSON.stringify(value)}`);
}

function logCrawl(log: NodeLog, result: CrawlResult): void {
  if (result.dryRun || result.leasesExpired === 0) return;
  log.info(`lease crawler: ${result.leasesExpired} expired leases removed, ${result.sharesDeleted} shares deleted (${result.bucketsRemoved} buckets emptied) of ${result.sharesExamined} examined`);
}
