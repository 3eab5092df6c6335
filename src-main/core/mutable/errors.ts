/** Why a mutable share was rejected. */
export type MutableShareProblem =
  | 'truncated'
  | 'bad-header'
  | 'unknown-version'
  | 'bad-verification-key'
  | 'bad-signature'
  | 'bad-share-hashes'
  | 'bad-block-hash-tree'
  | 'bad-block'
  | 'bad-encrypted-key'
  | 'wrong-share-number'
  | 'duplicate';

/** One mutable share is unusable; `share` is the caller's label for it. */
export class BadMutableShareError extends Error {
  constructor(
    readonly share: string,
    readonly problem: MutableShareProblem,
    detail: string,
  ) {
    super(`share ${share}: ${detail}`);
    this.name = 'BadMutableShareError';
  }
}

/** No version has K good shares; lists every share rejected and why. */
export class UnrecoverableVersionError extends Error {
  constructor(
    readonly needed: number | undefined,
    readonly usable: number,
    readonly badShares: readonly BadMutableShareError[],
  ) {
    const need = needed === undefined ? 'no valid share at all' : `need ${needed} shares of one version, have at most ${usable}`;
    const reasons = badShares.length > 0 ? `; rejected: ${badShares.map((e) => e.message).join('; ')}` : '';
    super(`cannot rebuild the mutable file: ${need}${reasons}`);
    this.name = 'UnrecoverableVersionError';
  }
}

/** Input the encoder cannot accept: bad K/N or seqnum, or a file over the size limit. */
export class MutableEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutableEncodingError';
  }
}
