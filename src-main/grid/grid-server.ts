// What the grid client needs from one storage server, wherever it is: a remote peer over
// /cairn/storage/1.0.0, or this node's own backend. StorageBackend and RemoteStorageServer
// both have exactly this shape.

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

/** What putShares did with each share asked for. */
export interface SharePutResult {
  /** every share the server holds for the storage index, not only those asked for */
  readonly alreadyHave: readonly number[];
  /** shares written and final */
  readonly written: readonly number[];
  readonly refused: readonly number[];
  readonly refusedBecause?: string;
}

export interface ShareAllocation {
  readonly alreadyHave: readonly number[];
  readonly writers: ReadonlyMap<number, ShareWriter>;
  readonly refused: readonly number[];
  readonly refusedBecause?: string;
}

/** Read `length` bytes at `offset` of a mutable share's data (cut at its end). */
export interface SlotReadVector {
  readonly offset: number;
  readonly length: number;
}

/** Passes when the share's data at offset..offset+length equals `specimen` (a missing share reads as empty). */
export interface SlotTestVector {
  readonly offset: number;
  readonly length: number;
  readonly operator: 'eq';
  readonly specimen: Uint8Array;
}

/** What to do to one mutable share if every test of the call passes. */
export interface SlotShareWrite {
  readonly testVectors: readonly SlotTestVector[];
  readonly writeVectors: readonly { readonly offset: number; readonly data: Uint8Array }[];
  /** cut the data to this length; 0 deletes the share */
  readonly newLength?: number;
}

/** The server's write enabler for the file, and the lease's secrets. */
export interface SlotWriteSecrets {
  readonly writeEnabler: Uint8Array;
  readonly leaseRenew: Uint8Array;
  readonly leaseCancel: Uint8Array;
}

export interface SlotWriteResult {
  readonly success: boolean;
  readonly readData: ReadonlyMap<number, readonly Uint8Array[]>;
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
  /** Allocates, writes and closes whole shares (all the same size) at once: for small files. */
  putShares(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array, shares: ReadonlyMap<number, Uint8Array>): Promise<SharePutResult>;
  /** The final shares held; a remote server sends each one's first `prefetchBytes` with the list. */
  getBuckets(storageIndex: Uint8Array, hints?: { readonly prefetchBytes?: number }): Promise<ReadonlyMap<number, ShareReader>>;
  addLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array): Promise<unknown>;
  adviseCorruptShare(shareType: 'immutable' | 'mutable', storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<unknown>;
  /** Tahoe's slot_readv ('all': every mutable share held; an empty list: none). */
  readMutableShares(
    storageIndex: Uint8Array,
    shareNumbers: readonly number[] | 'all',
    readVectors: readonly SlotReadVector[],
  ): Promise<ReadonlyMap<number, readonly Uint8Array[]>>;
  /** Tahoe's slot_testv_and_readv_and_writev. */
  testvAndReadvAndWritev(
    storageIndex: Uint8Array,
    secrets: SlotWriteSecrets,
    writes: ReadonlyMap<number, SlotShareWrite>,
    readVectors: readonly SlotReadVector[],
  ): Promise<SlotWriteResult>;
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
