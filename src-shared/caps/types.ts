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

export type FileCap = ChkReadCap | ChkVerifyCap | LiteralCap;
