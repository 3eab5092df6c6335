// Cairn's mutable-file key chain: writekey → readkey → storage index (docs/formats.md).
// Tahoe's derivation (mutable-and-dirnodes.md §1) with Cairn's own tags, so a Cairn key
// can never be taken for a Tahoe SSK key.

import { taggedHash } from '../tagged-hash.js';

export const WRITEKEY_TO_READKEY_TAG = 'cairn_mutable_writekey_to_readkey_v1';
export const READKEY_TO_STORAGE_INDEX_TAG = 'cairn_mutable_readkey_to_storage_index_v1';

export function readkeyOfWritekey(writekey: Uint8Array): Uint8Array {
  return taggedHash(WRITEKEY_TO_READKEY_TAG, writekey, 16);
}

export function storageIndexOfReadkey(readkey: Uint8Array): Uint8Array {
  return taggedHash(READKEY_TO_STORAGE_INDEX_TAG, readkey, 16);
}
