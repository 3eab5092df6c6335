// Mutable files on the grid: servermap update, retrieve, publish (Tahoe's SDMF model with
// Cairn's Ed25519 format, docs/formats.md).
export { MutableConflictError } from './errors.js';
export {
  allLocations,
  highestSeqnum,
  recoverableVersions,
  updateServermap,
  versionsOf,
  type BadShare,
  type FoundVersion,
  type ServermapOptions,
  type Servermap,
  type ShareLocation,
  type VersionedShare,
} from './servermap.js';
export { retrieveMutable, type FetchedShare, type RetrieveOptions, type RetrievedVersion } from './retrieve.js';
export { createMutable, publishMutable, type MutablePublishOptions, type PublishedVersion, type UpdateOptions } from './publish.js';
export { modifyMutable, type ModifiedVersion, type ModifyOptions, type MutableModifier } from './modify.js';
export { MutableRepairNeedsWriteCapError } from './errors.js';
export { checkMutable, type MutableCheckOptions } from './checker.js';
export { repairMutable, type MutableRepairOptions } from './repairer.js';
