/** Random access to the bytes of one share, wherever they live (a file, a server). */
export interface ShareSource {
  /** how errors name this share: a file name, a server and share number… */
  readonly label: string;
  /** Reads up to `length` bytes at `offset`; fewer only at the end of the share. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** a share number the caller believes this is (e.g. from a file name); used only to break ties */
  readonly claimedShareNumber?: number;
}

/** A share held in memory. */
export function memoryShareSource(label: string, bytes: Uint8Array, claimedShareNumber?: number): ShareSource {
  return {
    label,
    claimedShareNumber,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
  };
}
