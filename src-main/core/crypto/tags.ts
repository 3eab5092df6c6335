// Tahoe's hash tags (chk-format.md §0). Exact ASCII bytes; the convergence tag ends in '+'.
export const STORAGE_INDEX_TAG = 'allmydata_immutable_key_to_storage_index_v1';
export const BLOCK_TAG = 'allmydata_encoded_subshare_v1';
export const UEB_TAG = 'allmydata_uri_extension_v1';
export const PLAINTEXT_TAG = 'allmydata_plaintext_v1';
export const CIPHERTEXT_TAG = 'allmydata_crypttext_v1';
export const CIPHERTEXT_SEGMENT_TAG = 'allmydata_crypttext_segment_v1';
export const PLAINTEXT_SEGMENT_TAG = 'allmydata_plaintext_segment_v1';
export const CONVERGENT_ENCRYPTION_TAG = 'allmydata_immutable_content_to_key_with_added_secret_v1+';
export const MERKLE_EMPTY_LEAF_TAG = 'Merkle tree empty leaf';
export const MERKLE_INTERNAL_NODE_TAG = 'Merkle tree internal node';
export const CLIENT_RENEWAL_TAG = 'allmydata_client_renewal_secret_v1';
export const CLIENT_CANCEL_TAG = 'allmydata_client_cancel_secret_v1';
export const FILE_RENEWAL_TAG = 'allmydata_file_renewal_secret_v1';
export const FILE_CANCEL_TAG = 'allmydata_file_cancel_secret_v1';
export const BUCKET_RENEWAL_TAG = 'allmydata_bucket_renewal_secret_v1';
export const BUCKET_CANCEL_TAG = 'allmydata_bucket_cancel_secret_v1';
