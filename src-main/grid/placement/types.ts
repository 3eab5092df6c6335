// The vocabulary of share placement.

/** A storage server as the client knows it: its libp2p peer id in text form. */
export type ServerId = string;

/** A share's number, 0 to N−1. */
export type ShareNumber = number;

/** Which shares each server holds, or will hold. */
export type SharesByServer = ReadonlyMap<ServerId, ReadonlySet<ShareNumber>>;
