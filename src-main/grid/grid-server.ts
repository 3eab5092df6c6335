// What the grid client needs from one storage server, wherever it is: a remote peer over
// /cairn/storage/1.0.0, or this node's own backend. StorageBackend has exactly this shape.

export interface ServerVersion {
  readonly maximumImmutableShareSize: number;
  readonly availableSpace: number;
}

export interface ShareWriter {
  write(offset: number, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export interface ShareReader {
  read(offset: number, length: number): Promise<Uint8Array>;
  readonly size: number;
}

export interface ShareAllocation {
  readonly alreadyHave: readonly number[];
  readonly writers: ReadonlyMap<number, ShareWriter>;
  readonly refused: readonly number[];
  readonly refusedBecause?: string;
}

export interface StorageServerApi {
  version(): Promise<ServerVersion>;
  allocateBuckets(
    storageIndex: Uint8Array,
    renewSecret: Uint8Array,
    cancelSecret: Uint8Array,
    shareNumbers: Iterable<number>,
    allocatedSize: number,
  ): Promise<ShareAllocation>;
  getBuckets(storageIndex: Uint8Array): Promise<ReadonlyMap<number, ShareReader>>;
  addLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array): Promise<unknown>;
  adviseCorruptShare(shareType: 'immutable', storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<unknown>;
}

/** A storage server as the grid client sees it. */
export interface GridServer {
  /** the server's peer id (text) */
  readonly id: string;
  readonly nickname: string;
  /** places the server on each file's permuted ring (Cairn: the peer-id bytes) */
  readonly permutationSeed: Uint8Array;
  /** the 20 bytes that make this server's lease secrets (core/lease-secrets.ts) */
  readonly leaseSeed: Uint8Array;
  readonly api: StorageServerApi;
}
