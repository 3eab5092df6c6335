// Length-prefixed binary frames over a libp2p stream, with hard size limits.
//
// Wire format of one frame:   u32 length (4 bytes, big-endian) || payload (length bytes)
//
// A fixed 4-byte length (rather than a varint) means the size limit is checked after exactly
// four bytes, before anything of the claimed size is allocated or buffered, and there are no
// over-long or non-minimal encodings to reject. Every reader passes its own limit per frame;
// MAX_FRAME_SIZE is the ceiling over all of them.
//
// On top of raw frames, the Cairn message codec gives the first payload byte a kind:
//   HEAD  0x01  UTF-8 JSON: a message's small control part (request or response header)
//   DATA  0x02  raw bytes: one chunk of a message's body
//   END   0x03  empty: the message is complete
//   ERROR 0x04  UTF-8 JSON { code, message }: the sender gives up on this exchange
// Control is JSON because it is small, rare, bounded and easy to read in a log; bulk data stays
// raw so it is never copied through a text codec. CBOR would serve both, but it is not a
// dependency and a hand-written decoder for it is more attack surface than a frame kind byte.

import type { MessageStream, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { Uint8ArrayList } from 'uint8arraylist';

/** The largest frame any reader in Cairn may accept (payload bytes). */
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;
export const FRAME_HEADER_SIZE = 4;

/** Bytes a FrameReader buffers ahead of its consumer before it pauses the stream. */
const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

export type FrameErrorCode = 'oversized' | 'truncated' | 'malformed';

/** The peer sent bytes that are not a valid frame (or not a valid message frame). */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads frames from a stream. Backpressure: it pauses the stream (Yamux then stops granting
 * window to the sender) while it holds at least `highWaterMark` unread bytes and nobody waits
 * for more, and resumes when a read needs more. So the stream's `maxReadBufferLength` must be
 * at least the muxer's largest stream window; createCairnHost configures that.
 *
 * Frames that arrived completely are delivered even if the stream was reset afterwards, so an
 * ERROR frame followed by a reset is still read. One consumer: await each next() before the
 * following one.
 */
export class FrameReader {
  private readonly buffer = new Uint8ArrayList();
  private ended = false;
  private failure: Error | undefined;
  private wanted = 0;
  private wake: (() => void) | undefined;
  private released = false;
  private resuming = false;

  constructor(
    private readonly stream: Stream,
    private readonly highWaterMark = DEFAULT_HIGH_WATER_MARK,
  ) {
    stream.addEventListener('message', this.onMessage);
    stream.addEventListener('end', this.onEnd);
    stream.addEventListener('close', this.onClose);
    if (stream.readableEnded) this.ended = true;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffer.byteLength;
  }

  /**
   * The next frame's payload, or undefined at a clean end of stream (between frames).
   * Throws FrameError('oversized') as soon as a length prefix exceeds maxSize, and
   * FrameError('truncated') if the stream ends inside a frame.
   */
  async next(maxSize: number): Promise<Uint8Array | undefined> {
    const payload = await this.nextList(maxSize);
    if (payload === undefined) return undefined;
    return plainView(payload.subarray());
  }

  /**
   * The next frame's payload as the chunks it arrived in, without copying them into one
   * array (for bulk data: a 1 MiB frame arrives in ~16 pieces). Same rules as next().
   */
  async nextList(maxSize: number): Promise<Uint8ArrayList | undefined> {
    if (!Number.isInteger(maxSize) || maxSize < 0 || maxSize > MAX_FRAME_SIZE) {
      throw new RangeError(`frame size limit must be an integer in 0..${MAX_FRAME_SIZE}, not ${maxSize}`);
    }
    if (this.released) throw new Error('FrameReader was released');
    await this.fill(FRAME_HEADER_SIZE, true);
    if (this.buffer.byteLength === 0) return undefined;
    const length = this.buffer.getUint32(0, false);
    if (length > maxSize) {
      throw new FrameError('oversized', `frame of ${length} bytes exceeds the limit of ${maxSize} bytes`);
    }
    await this.fill(FRAME_HEADER_SIZE + length, false);
    const payload = this.buffer.sublist(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + length);
    this.buffer.consume(FRAME_HEADER_SIZE + length);
    this.maybePause();
    return payload;
  }

  /** Stops listening to the stream; unread bytes are dropped. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.stream.removeEventListener('message', this.onMessage);
    this.stream.removeEventListener('end', this.onEnd);
    this.stream.removeEventListener('close', this.onClose);
    this.buffer.consume(this.buffer.byteLength);
    this.wake?.();
  }

  /** Waits until `size` bytes are buffered; at end of stream, returns (clean) or throws. */
  private async fill(size: number, cleanEndAllowed: boolean): Promise<void> {
    while (this.buffer.byteLength < size) {
      if (this.released) throw new Error('FrameReader was released');
      if (this.stream.readStatus === 'paused') {
        // resume() hands over what the paused stream holds, synchronously, and only then
        // tells the muxer to flow again. Pausing from inside that hand-over would be undone
        // by the muxer half of resume() (Yamux would grant window while the stream buffers
        // as if paused, until it resets itself): so no pausing until resume() returns.
        this.resuming = true;
        try {
          this.stream.resume();
        } finally {
          this.resuming = false;
        }
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) {
        if (cleanEndAllowed && this.buffer.byteLength === 0) return;
        throw new FrameError(
          'truncated',
          `stream ended inside a frame (${this.buffer.byteLength} of ${size} bytes received)`,
        );
      }
      this.wanted = size;
      const arrived = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      await arrived;
      this.wake = undefined;
      this.wanted = 0;
    }
  }

  private readonly onMessage = (event: StreamMessageEvent): void => {
    this.buffer.append(event.data);
    if (this.wake !== undefined && this.buffer.byteLength >= this.wanted) this.wake();
    else this.maybePause();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };

  private readonly onClose = (event: StreamCloseEvent): void => {
    if (event.error !== undefined) this.failure ??= event.error;
    // A clean close can precede 'end' while data is still queued inside a paused stream;
    // only an empty, unpausable stream is really over.
    if (this.stream.readBufferLength === 0) this.ended = true;
    this.wake?.();
  };

  private maybePause(): void {
    if (this.resuming || this.wake !== undefined || this.buffer.byteLength < this.highWaterMark) return;
    if (this.stream.readStatus === 'readable') this.stream.pause();
  }
}

/** Transports hand over Buffers; callers get plain Uint8Array views (no copy). */
export function plainView(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A whole frame (length prefix and payload) in one array, for small frames. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.byteLength > MAX_FRAME_SIZE) {
    throw new RangeError(`frame of ${payload.byteLength} bytes exceeds MAX_FRAME_SIZE (${MAX_FRAME_SIZE})`);
  }
  const out = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, false);
  out.set(payload, FRAME_HEADER_SIZE);
  return out;
}

/**
 * Frames gathered for one `stream.send`. Each send becomes at least one Yamux frame, which the
 * peer answers with a window update, and each Yamux frame at least one Noise message, which
 * the TCP transport writes as two syscalls (its length, then its ciphertext). So a message's
 * HEAD, DATA and END frames go out together where they can: measured on a grid download, a
 * block read cost the client eleven small socket writes when each frame had a send of its own.
 */
export class FrameBatch {
  #frames = new Uint8ArrayList();

  /** bytes gathered and not yet sent */
  get byteLength(): number {
    return this.#frames.byteLength;
  }

  /** Adds one frame: its length prefix, then the payload (not copied). */
  add(payload: Uint8Array | Uint8ArrayList): void {
    if (payload.byteLength > MAX_FRAME_SIZE) {
      throw new RangeError(`frame of ${payload.byteLength} bytes exceeds MAX_FRAME_SIZE (${MAX_FRAME_SIZE})`);
    }
    const header = new Uint8Array(FRAME_HEADER_SIZE);
    new DataView(header.buffer).setUint32(0, payload.byteLength, false);
    this.#frames.append(header, payload);
  }

  /**
   * Sends what has been gathered, honouring backpressure: when send() reports a full buffer,
   * waits for the stream to drain. Rejects if the stream closes first or the signal aborts.
   */
  async flush(stream: MessageStream, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#frames.byteLength === 0) return;
    const frames = this.#frames;
    this.#frames = new Uint8ArrayList(); // the stream may keep the sent list queued
    if (!stream.send(frames)) await stream.onDrain(options.signal === undefined ? {} : { signal: options.signal });
  }
}

/** Writes one frame on its own (see FrameBatch to send several together). */
export async function writeFrame(
  stream: MessageStream,
  payload: Uint8Array | Uint8ArrayList,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const batch = new FrameBatch();
  batch.add(payload);
  await batch.flush(stream, options);
}

// ---- Cairn message codec: one kind byte in front of each frame's payload ----

export const FrameKind = {
  head: 0x01,
  data: 0x02,
  end: 0x03,
  error: 0x04,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** ERROR frame bodies are small; longer messages are cut. */
export const MAX_ERROR_BYTES = 4096;
const MAX_ERROR_MESSAGE_CHARS = 1000;

export type KindedFrame =
  | { kind: typeof FrameKind.head; head: JsonValue }
  | { kind: typeof FrameKind.data; data: Uint8Array }
  | { kind: typeof FrameKind.end }
  | { kind: typeof FrameKind.error; code: string; message: string };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function withKind(kind: FrameKind, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = kind;
  out.set(body, 1);
  return out;
}

export function encodeHeadFrame(head: JsonValue): Uint8Array {
  return withKind(FrameKind.head, utf8Encoder.encode(JSON.stringify(head)));
}

/** A DATA frame as a list, so a large chunk is not copied. */
export function encodeDataFrame(chunk: Uint8Array): Uint8ArrayList {
  return new Uint8ArrayList(Uint8Array.of(FrameKind.data), chunk);
}

export function encodeEndFrame(): Uint8Array {
  return Uint8Array.of(FrameKind.end);
}

export function encodeErrorFrame(code: string, message: string): Uint8Array {
  const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
  return withKind(
    FrameKind.error,
    utf8Encoder.encode(JSON.stringify({ code: cut(code, 100), message: cut(message, MAX_ERROR_MESSAGE_CHARS) })),
  );
}

function parseJson(body: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8Decoder.decode(body)) as unknown;
  } catch {
    throw new FrameError('malformed', `${what} frame is not UTF-8 JSON`);
  }
}

/** Decodes a frame payload produced by the encoders above. Throws FrameError on garbage. */
export function decodeKindedFrame(payload: Uint8Array): KindedFrame {
  if (payload.length === 0) throw new FrameError('malformed', 'empty frame (no kind byte)');
  const body = payload.subarray(1);
  switch (payload[0]) {
    case FrameKind.head:
      return { kind: FrameKind.head, head: parseJson(body, 'HEAD') as JsonValue };
    case FrameKind.data:
      return { kind: FrameKind.data, data: body };
    case FrameKind.end:
      if (body.length !== 0) throw new FrameError('malformed', 'END frame carries data');
      return { kind: FrameKind.end };
    case FrameKind.error: {
      const value = parseJson(body, 'ERROR');
      if (
        typeof value !== 'object' ||
        value === null ||
        typeof (value as { code?: unknown }).code !== 'string' ||
        typeof (value as { message?: unknown }).message !== 'string'
      ) {
        throw new FrameError('malformed', 'ERROR frame is not { code, message }');
      }
      const { code, message } = value as { code: string; message: string };
      return { kind: FrameKind.error, code, message };
    }
    default:
      throw new FrameError('malformed', `unknown frame kind 0x${(payload[0] ?? 0).toString(16).padStart(2, '0')}`);
  }
}
