import { EncodingParameterError } from './errors.js';

export interface SegmentReadOptions {
  /** where segment buffers come from (default: fresh ones) */
  readonly allocate?: (size: number) => Uint8Array;
  /**
   * The source's chunks belong to the reader: a chunk that is exactly the next segment and
   * spans its whole buffer is passed on as it is, without a copy.
   */
  readonly adoptChunks?: boolean;
}

/**
 * Regroups a plaintext stream of any chunk sizes into segments of exactly
 * `segmentSize` bytes (the last one shorter), each its own buffer that may be
 * handed to another thread. Fails if the stream is not exactly `size` bytes.
 */
export async function* readSegments(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
  segmentSize: number,
  options: SegmentReadOptions = {},
): AsyncGenerator<Uint8Array> {
  const allocate = options.allocate ?? ((length: number) => new Uint8Array(length));
  let remaining = size;
  let current: Uint8Array | undefined;
  let filled = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      if (remaining === 0) {
        throw new EncodingParameterError(`the input is longer than its declared size of ${size} bytes`);
      }
      const wanted = Math.min(segmentSize, remaining);
      if (options.adoptChunks && filled === 0 && at === 0 && chunk.length === wanted && chunk.byteLength === chunk.buffer.byteLength) {
        remaining -= wanted;
        yield chunk;
        break;
      }
      current ??= allocate(wanted);
      const take = Math.min(chunk.length - at, current.length - filled);
      current.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === current.length) {
        remaining -= filled;
        yield current;
        current = undefined;
        filled = 0;
      }
    }
  }
  if (remaining > 0) {
    throw new EncodingParameterError(
      `the input ended after ${size - remaining + filled} bytes, but its declared size is ${size} bytes`,
    );
  }
}
