// The virtual drive: directories on the grid (Tahoe's dirnodes, docs/formats.md), paths
// through them, and immutable directories for backup snapshots.
export { ChildExistsError, DirectoryPathError, NoSuchChildError, NotADirectoryError, ReadOnlyDirectoryError } from './errors.js';
export type { VdriveOptions } from './options.js';
export type { DirectoryEntry, LinkMetadata } from './entries.js';
export { createDirectory, createDirectoryWithChildren, linkChild, listDirectory, mkdirChild, moveChild, renameChild, unlinkChild, type InitialChild, type LinkOptions } from './directory-ops.js';
export { resolvePath, splitPath, type ResolvedPath } from './paths.js';
export { createImmutableDirectory, type ImmutableChild } from './immutable-directory.js';
