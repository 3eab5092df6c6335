// Cairn's mutable files (docs/formats.md): keys, one-version encode/decode, share checks.
export { ED25519_PUBLIC_KEY_SIZE, ED25519_SEED_SIZE, ED25519_SIGNATURE_SIZE } from './ed25519.js';
export { BadMutableShareError, MutableEncodingError, UnrecoverableVersionError, type MutableShareProblem } from './errors.js';
export {
  SALT_SIZE,
  WRITEKEY_SIZE,
  datakeyOf,
  fingerprintOfPublicKey,
  generateWriterKeys,
  writeCapOfKeys,
  writeEnablerFor,
  writeEnablerMaster,
  writerKeysFromSeed,
  type MutableWriterKeys,
} from './keys.js';
export {
  CHECKSTRING_SIZE,
  MAX_MUTABLE_FILE_SIZE,
  MAX_MUTABLE_SHARE_SIZE,
  MAX_MUTABLE_SHARES,
  MUTABLE_SHARE_VERSION,
  SHARE_HEAD_SIZE,
  SIGNED_PREFIX_SIZE,
  checkstringOf,
  mutableShareSize,
  parseMutableShareHead,
  type MutableShareHead,
  type MutableVersionInfo,
} from './share-layout.js';
export { compareVersions, readVersionInfo, verifyShareHead, versionKeyOf } from './version-info.js';
export { encodeMutableVersion, type EncodedMutableVersion, type MutableVersionInput } from './encoder.js';
export { checkMutableShare, type CheckedMutableShare, type MutableShareInput } from './share-check.js';
export { decodeMutableVersion, type DecodedMutableVersion, type MutableDecodeOptions } from './decoder.js';
export { recoverWriterKeys, recoverWriterKeysFromAny } from './private-key.js';
export { checkstringTest, type CheckstringTest } from './write-test.js';
