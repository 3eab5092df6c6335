// Why a directory operation failed, in words a user can act on. Messages name paths and
// child names, never a cap (caps are secrets).

/** The directory cap is read-only (or immutable, or a verify cap): it cannot change the directory. */
export class ReadOnlyDirectoryError extends Error {
  override readonly name = 'ReadOnlyDirectoryError';
}

/** A path names a child the directory does not have. */
export class NoSuchChildError extends Error {
  override readonly name = 'NoSuchChildError';
  constructor(
    readonly childName: string,
    message: string,
  ) {
    super(message);
  }
}

/** A path goes through something that is not a directory. */
export class NotADirectoryError extends Error {
  override readonly name = 'NotADirectoryError';
}

/** A link that must not replace an entry found one with that name. */
export class ChildExistsError extends Error {
  override readonly name = 'ChildExistsError';
}

/** A child name or path that cannot name anything: empty, with "/", ".", "..", or not valid Unicode. */
export class DirectoryPathError extends Error {
  override readonly name = 'DirectoryPathError';
}
