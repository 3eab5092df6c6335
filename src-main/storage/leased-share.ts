import { unlink } from 'node:fs/promises';
import { isMissing } from './directories.js';
import { LEASE_SLOTS, MUTABLE_LEASE_RECORD_SIZE, buildMutableContainer, mutableSecretStorageOf } from './mutable-container.js';
import { containerKindOf, readMutableContainerFile, replaceFileAtomically } from './mutable-share-file.js';
import { IMMUTABLE_LEASE_RECORD_SIZE, type LeaseRecord, type SecretStorage } from './lease-record.js';
import { readShareFileState, writeLeases } from './share-file.js';

/**
 * The lease side of a share file of either kind, so that adding, renewing and expiring
 * leases (and GC) treat immutable and mutable shares alike.
 */
export interface LeasedShare {
  readonly path: string;
  readonly kind: 'immutable' | 'mutable';
  readonly leases: readonly LeaseRecord[];
  readonly secretStorage: SecretStorage;
  /** bytes the file grows by when one more lease is added */
  readonly bytesPerNewLease: number;
  writeLeases(leases: readonly LeaseRecord[]): Promise<void>;
  delete(): Promise<void>;
}

export interface LeasedShareContext {
  /** where a mutable share is rewritten before it is renamed into place */
  readonly tempPath: string;
  /** this server's node id, stored with new mutable leases */
  readonly nodeId: Uint8Array;
}

async function deleteFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Reads the leases of a share file; BadContainerError if it is neither kind. */
export async function readLeasedShare(path: string, context: LeasedShareContext): Promise<LeasedShare> {
  if ((await containerKindOf(path)) === 'immutable') {
    const state = await readShareFileState(path);
    return {
      path,
      kind: 'immutable',
      leases: state.leases,
      secretStorage: state.secretStorage,
      bytesPerNewLease: IMMUTABLE_LEASE_RECORD_SIZE,
      writeLeases: (leases) => writeLeases(state, leases),
      delete: () => deleteFile(path),
    };
  }
  const container = await readMutableContainerFile(path);
  return {
    path,
    kind: 'mutable',
    leases: container.leases,
    secretStorage: mutableSecretStorageOf(container.version),
    bytesPerNewLease: container.leases.length < LEASE_SLOTS ? 0 : MUTABLE_LEASE_RECORD_SIZE,
    writeLeases: (leases) => replaceFileAtomically(context.tempPath, path, buildMutableContainer({ ...container, leases }, context.nodeId)),
    delete: () => deleteFile(path),
  };
}
