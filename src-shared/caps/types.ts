export interface ChkReadCap {
  readonly kind: 'chk';
  readonly key: Uint8Array; // 16 bytes
  readonly uebHash: Uint8Array; // 32 bytes
  readonly neededShares: number;
  readonly totalShares: number;
  readonly size: number;
}

export interface ChkVerifyCap {
  readonly kind: 'chk-verifier';
  readonly storageIndex: Uint8Array; // 16 bytes
  readonly uebHash: Uint8Array; // 32 bytes
  readonly neededShares: number;
  readonly totalShares: number;
  readonly size: number;
}

export interface LiteralCap {
  readonly kind: 'lit';
  readonly data: Uint8Array;
}

/** An immutable file's cap. */
export type FileCap = ChkReadCap | ChkVerifyCap | LiteralCap;

/** `URI:SSK-ED25519:`: reads and writes a mutable file. */
export interface MutableWriteCap {
  readonly kind: 'ssk-ed25519';
  readonly writekey: Uint8Array; // 16 bytes
  readonly fingerprint: Uint8Array; // 32 bytes: hash of the Ed25519 public key
}

/** `URI:SSK-ED25519-RO:`: reads a mutable file. */
export interface MutableReadCap {
  readonly kind: 'ssk-ed25519-ro';
  readonly readkey: Uint8Array; // 16 bytes
  readonly fingerprint: Uint8Array; // 32 bytes
}

/** `URI:SSK-ED25519-Verifier:`: checks and repairs a mutable file's shares, reads nothing. */
export interface MutableVerifyCap {
  readonly kind: 'ssk-ed25519-verifier';
  readonly storageIndex: Uint8Array; // 16 bytes
  readonly fingerprint: Uint8Array; // 32 bytes
}

export type MutableFileCap = MutableWriteCap | MutableReadCap | MutableVerifyCap;

/** The file caps a directory can be stored in. */
export type DirectoryFileCap = MutableFileCap | ChkReadCap | ChkVerifyCap | LiteralCap;

/**
 * A directory: the cap of the file that holds its entries, written with a `URI:DIR2-…`
 * prefix instead of the file's own (`URI:DIR2-ED25519:`, `URI:DIR2-CHK:`, `URI:DIR2-LIT:`…).
 */
export interface DirectoryCap {
  readonly kind: 'dir';
  readonly file: DirectoryFileCap;
}

/** Every cap Cairn knows. */
export type Cap = FileCap | MutableFileCap | DirectoryCap;
