/** An upload could not reach the grid's happiness; nothing it wrote looks complete. */
export class UploadUnhappinessError extends Error {
  override readonly name = 'UploadUnhappinessError';
}

/** A file's shares cannot be found on enough servers. */
export class NotEnoughSharesFoundError extends Error {
  override readonly name = 'NotEnoughSharesFoundError';
}
