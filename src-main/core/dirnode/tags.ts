// Cairn's dirnode tags (docs/formats.md): Tahoe's construction, Cairn's names.
export const CHILD_RWCAP_SALT_TAG = 'cairn_dirnode_child_rwcap_to_salt_v1';
export const CHILD_CAPKEY_TAG = 'cairn_mutable_writekey_and_salt_to_dirnode_child_capkey_v1';
