// Hash tags of Cairn's mutable files (docs/formats.md). Tahoe's derivations with Cairn's
// own tags, so no value can be confused with a Tahoe SDMF/MDMF one. The readkey and
// storage-index tags live with the caps (src-shared/caps/mutable-keys.ts).
export const SEED_TO_WRITEKEY_TAG = 'cairn_mutable_ed25519_seed_to_writekey_v1';
export const PUBKEY_TO_FINGERPRINT_TAG = 'cairn_mutable_ed25519_pubkey_to_fingerprint_v1';
export const WRITE_ENABLER_MASTER_TAG = 'cairn_mutable_writekey_to_write_enabler_master_v1';
export const WRITE_ENABLER_TAG = 'cairn_mutable_write_enabler_master_and_lease_seed_to_write_enabler_v1';
export const DATAKEY_TAG = 'cairn_mutable_readkey_and_salt_to_datakey_v1';
export const BLOCK_TAG = 'cairn_mutable_block_v1';
