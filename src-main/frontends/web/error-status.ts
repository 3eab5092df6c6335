import { CapError } from '../../../src-shared/caps/index.js';
import { ChildNameError, DirectoryEntryError } from '../../core/dirnode/index.js';
import { NotEnoughSharesError } from '../../core/immutable/errors.js';
import { MutableEncodingError, UnrecoverableVersionError } from '../../core/mutable/index.js';
import { NotEnoughSharesFoundError, UploadUnhappinessError } from '../../grid/errors.js';
import { MutableConflictError, MutableRepairNeedsWriteCapError } from '../../grid/mutable/index.js';
import { ChildExistsError, DirectoryPathError, NoSuchChildError, NotADirectoryError, ReadOnlyDirectoryError } from '../../grid/vdrive/index.js';
import { MutableVersionChangedError } from '../../node/mutable-files.js';
import { HttpError } from './http-errors.js';
import { BackupInputError } from '../../backup/backup-request.js';

const STATUS_OF: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, number]> = [
  [CapError, 400],
  [DirectoryPathError, 400],
  [ChildNameError, 400],
  [DirectoryEntryError, 400],
  [NotADirectoryError, 400],
  [MutableEncodingError, 400],
  [URIError, 400],
  [MutableRepairNeedsWriteCapError, 400],
  [ReadOnlyDirectoryError, 403],
  [NoSuchChildError, 404],
  [ChildExistsError, 409],
  [MutableConflictError, 409],
  [MutableVersionChangedError, 409],
  [NotEnoughSharesFoundError, 410],
  [NotEnoughSharesError, 410],
  [UnrecoverableVersionError, 410],
  [UploadUnhappinessError, 503],
  [BackupInputError, 400],
];

/** Maps failures to HTTP: what the user did wrong is 4xx, what the grid cannot do is 410/503. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  return STATUS_OF.find(([type]) => error instanceof type)?.[1] ?? 500;
}
