import { createCipheriv, type Cipher } from 'node:crypto';

export const AES_KEY_SIZE = 16;
const AES_BLOCK = 16;

/** The 16-byte big-endian counter block for AES block number `blockIndex` (CHK's IV is 0). */
function counterBlock(blockIndex: bigint): Uint8Array {
  const iv = new Uint8Array(AES_BLOCK);
  let value = blockIndex;
  for (let i = AES_BLOCK - 1; i >= 0 && value > 0n; i--) {
    iv[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return iv;
}

/**
 * AES-128-CTR over one keystream that starts at byte 0 of the file with a zero counter
 * block (Tahoe CHK). `at(offset)` starts mid-stream, so a segment can be encrypted on its
 * own (in a worker) and still match a single pass over the file.
 */
export class AesCtrStream {
  private readonly cipher: Cipher;

  private constructor(key: Uint8Array, offset: number) {
    if (key.length !== AES_KEY_SIZE) throw new RangeError(`AES key must be ${AES_KEY_SIZE} bytes, got ${key.length}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad keystream offset ${offset}`);
    this.cipher = createCipheriv('aes-128-ctr', key, counterBlock(BigInt(Math.floor(offset / AES_BLOCK))));
    const skip = offset % AES_BLOCK;
    if (skip > 0) this.cipher.update(new Uint8Array(skip));
  }

  static at(key: Uint8Array, offset = 0): AesCtrStream {
    return new AesCtrStream(key, offset);
  }

  /** Encrypts (or decrypts: CTR is symmetric) the next bytes of the stream. */
  update(data: Uint8Array): Uint8Array {
    return this.cipher.update(data);
  }
}

/** One-shot AES-128-CTR of `data` placed at `offset` in the file's keystream. */
export function aesCtr(key: Uint8Array, data: Uint8Array, offset = 0): Uint8Array {
  return AesCtrStream.at(key, offset).update(data);
}
