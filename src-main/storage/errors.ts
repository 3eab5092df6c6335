/**
 * Why a storage request failed. The network layer maps each code to a wire error; the
 * message is for humans and never holds a secret.
 */
export type StorageErrorCode =
  | 'bad-storage-index'
  | 'bad-share-number'
  | 'bad-argument'
  | 'data-too-large'
  | 'conflicting-write'
  | 'bucket-closed'
  | 'no-such-lease'
  | 'no-space'
  | 'share-gone'
  | 'bad-container'
  | 'bad-write-enabler';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** A storage index that is not exactly 16 bytes (or not 26 base32 characters). */
export class BadStorageIndexError extends StorageError {
  constructor(message: string) {
    super('bad-storage-index', message);
    this.name = 'BadStorageIndexError';
  }
}

/** A share number outside 0..255, or a file name that is not one. */
export class BadShareNumberError extends StorageError {
  constructor(message: string) {
    super('bad-share-number', message);
    this.name = 'BadShareNumberError';
  }
}

/** A malformed argument: a secret of the wrong length, a negative offset, a size too large. */
export class BadArgumentError extends StorageError {
  constructor(message: string) {
    super('bad-argument', message);
    this.name = 'BadArgumentError';
  }
}

/** A write that would end past the share's allocated size. */
export class DataTooLargeError extends StorageError {
  constructor(message: string) {
    super('data-too-large', message);
    this.name = 'DataTooLargeError';
  }
}

/** A write that changes bytes already written to the same share. */
export class ConflictingWriteError extends StorageError {
  constructor(message: string) {
    super('conflicting-write', message);
    this.name = 'ConflictingWriteError';
  }
}

/** A bucket writer that was closed, aborted, or aborted for being idle. */
export class BucketClosedError extends StorageError {
  constructor(message: string) {
    super('bucket-closed', message);
    this.name = 'BucketClosedError';
  }
}

/** renewLease found no lease with the presented renew secret. */
export class NoSuchLeaseError extends StorageError {
  constructor(message: string) {
    super('no-such-lease', message);
    this.name = 'NoSuchLeaseError';
  }
}

/** Not enough space (or a read-only server) for something that needs to grow a file. */
export class NoSpaceError extends StorageError {
  constructor(message: string) {
    super('no-space', message);
    this.name = 'NoSpaceError';
  }
}

/** A share that existed when its reader was made has since been deleted (e.g. by GC). */
export class ShareGoneError extends StorageError {
  constructor(message: string) {
    super('share-gone', message);
    this.name = 'ShareGoneError';
  }
}

/** A share file whose container header or lease area makes no sense. */
export class BadContainerError extends StorageError {
  constructor(message: string) {
    super('bad-container', message);
    this.name = 'BadContainerError';
  }
}

/** A mutable write whose write enabler differs from the one the share was created with. */
export class BadWriteEnablerError extends StorageError {
  constructor(message: string) {
    super('bad-write-enabler', message);
    this.name = 'BadWriteEnablerError';
  }
}
