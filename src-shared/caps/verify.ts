// Storage index and verify-cap derivation (chk-format.md §5, §11).

import { taggedHash } from '../tagged-hash.js';
import type { ChkReadCap, ChkVerifyCap } from './types.js';

export const STORAGE_INDEX_TAG = 'allmydata_immutable_key_to_storage_index_v1';

/** tagged_hash(STORAGE_INDEX_TAG, key, 16). Like Tahoe, any key length is hashed. */
export function storageIndexOfKey(key: Uint8Array): Uint8Array {
  return taggedHash(STORAGE_INDEX_TAG, key, 16);
}

/** The verify cap for a read cap; a verify cap is returned unchanged. */
export function verifyCapOf(cap: ChkReadCap | ChkVerifyCap): ChkVerifyCap {
  if (cap.kind === 'chk-verifier') return cap;
  return {
    kind: 'chk-verifier',
    storageIndex: storageIndexOfKey(cap.key),
    uebHash: cap.uebHash.slice(),
    neededShares: cap.neededShares,
    totalShares: cap.totalShares,
    size: cap.size,
  };
}
