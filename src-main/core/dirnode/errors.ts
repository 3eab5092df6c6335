/** A child name that cannot be stored: empty, with '/', or not valid Unicode. */
export class ChildNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChildNameError';
  }
}

/** An entry the caller asked to store that a directory of this kind cannot hold. */
export class DirectoryEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryEntryError';
  }
}

/** Directory contents that do not parse or break the format's rules (corrupt or hostile). */
export class DirectoryFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryFormatError';
  }
}
