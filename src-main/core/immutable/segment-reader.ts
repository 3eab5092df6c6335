import { EncodingParameterError } from './errors.js';

/**
 * Regroups a plaintext stream of any chunk sizes into segments of exactly
 * `segmentSize` bytes (the last one shorter), each a fresh buffer that may be
 * handed to another thread. Fails if the stream is not exactly `size` bytes.
 */
export async function* readSegments(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
  segmentSize: number,
): AsyncGenerator<Uint8Array> {
  let remaining = size;
  let current = new Uint8Array(Math.min(segmentSize, remaining));
  let filled = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      if (remaining === 0) {
        throw new EncodingParameterError(`the input is longer than its declared size of ${size} bytes`);
      }
      const take = Math.min(chunk.length - at, current.length - filled);
      current.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === current.length) {
        remaining -= filled;
        yield current;
        current = new Uint8Array(Math.min(segmentSize, remaining));
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
