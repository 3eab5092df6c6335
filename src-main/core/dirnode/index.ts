// Directory (dirnode) contents: Tahoe's model with Cairn's tags (docs/formats.md).
export { normalizeChildName } from './child-name.js';
export { ChildNameError, DirectoryEntryError, DirectoryFormatError } from './errors.js';
export { linkedMetadata, type ChildMetadata, type LinkTimes } from './metadata.js';
export {
  directoryAccessOf,
  isDeepImmutable,
  packImmutableDirectory,
  packMutableDirectory,
  unpackDirectory,
  type DirectoryAccess,
  type DirectoryChild,
} from './codec.js';
