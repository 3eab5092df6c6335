/** Why a share was rejected; the decoder names the share so the caller can fetch another. */
export type ShareProblem =
  | 'truncated'
  | 'bad-header'
  | 'bad-ueb'
  | 'ueb-mismatch'
  | 'bad-share-hashes'
  | 'bad-block-hash-tree'
  | 'bad-block'
  | 'bad-crypttext-hash-tree'
  | 'wrong-parameters'
  | 'duplicate'
  | 'read-failed';

/** One share is unusable. `share` is the caller's label for it (a file name, a server id…). */
export class BadShareError extends Error {
  constructor(
    readonly share: string,
    readonly problem: ShareProblem,
    detail: string,
  ) {
    super(`share ${share}: ${detail}`);
    this.name = 'BadShareError';
  }
}

/** Fewer than K good shares remain; lists the shares that were rejected and why. */
export class NotEnoughSharesError extends Error {
  constructor(
    readonly needed: number,
    readonly usable: number,
    readonly badShares: readonly BadShareError[],
  ) {
    const reasons = badShares.length > 0 ? `; rejected: ${badShares.map((e) => e.message).join('; ')}` : '';
    super(`not enough good shares to rebuild the file: need ${needed}, have ${usable}${reasons}`);
    this.name = 'NotEnoughSharesError';
  }
}

/** Parameters or input the encoder cannot accept (k > n, a bad segment size, a short read…). */
export class EncodingParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingParameterError';
  }
}

/** A URI extension block that cannot be parsed or does not fit the cap. */
export class UriExtensionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UriExtensionError';
  }
}
