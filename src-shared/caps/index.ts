export { CapError, type CapErrorReason } from './errors.js';
export type {
  Cap,
  ChkReadCap,
  ChkVerifyCap,
  DirectoryCap,
  DirectoryFileCap,
  FileCap,
  LiteralCap,
  MutableFileCap,
  MutableReadCap,
  MutableVerifyCap,
  MutableWriteCap,
} from './types.js';
export { CHK_PREFIX, CHK_VERIFIER_PREFIX } from './chk.js';
export { LIT_PREFIX } from './literal.js';
export { MUTABLE_READ_PREFIX, MUTABLE_VERIFIER_PREFIX, MUTABLE_WRITE_PREFIX } from './mutable.js';
export {
  DIR_CHK_PREFIX,
  DIR_CHK_VERIFIER_PREFIX,
  DIR_LIT_PREFIX,
  DIR_MUTABLE_READ_PREFIX,
  DIR_MUTABLE_VERIFIER_PREFIX,
  DIR_MUTABLE_WRITE_PREFIX,
} from './directory.js';
export { READKEY_TO_STORAGE_INDEX_TAG, WRITEKEY_TO_READKEY_TAG, readkeyOfWritekey, storageIndexOfReadkey } from './mutable-keys.js';
export { parseAnyCap, parseCap, parseChkReadCap, parseDirectoryCap, parseMutableCap } from './parse.js';
export { formatCap } from './format.js';
export { immutableFileSizeOf } from './file-size.js';
export { STORAGE_INDEX_TAG, isWriteCap, mutableStorageIndexOf, readOnlyCapOf, storageIndexOfKey, verifyCapOf } from './verify.js';
