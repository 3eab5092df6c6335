export { CapError, type CapErrorReason } from './errors.js';
export type { ChkReadCap, ChkVerifyCap, FileCap, LiteralCap } from './types.js';
export { CHK_PREFIX, CHK_VERIFIER_PREFIX } from './chk.js';
export { LIT_PREFIX } from './literal.js';
export { parseCap, parseChkReadCap } from './parse.js';
export { formatCap } from './format.js';
export { STORAGE_INDEX_TAG, storageIndexOfKey, verifyCapOf } from './verify.js';
