// Request/response over libp2p: Cairn message frames both ways, one exchange at a time on a
// stream, and the stream kept for the next exchange (stream-pool.ts: opening a stream costs
// far more than a request).
//
//   client → server:  HEAD, DATA*, END
//   server → client:  HEAD, DATA*, END  or ERROR
//   … then the next request on the same stream, until the client closes its write side
//   (or either side resets the stream, or it stays idle for SERVER_IDLE_STREAM_MS).
//
// Either side may send ERROR at any point instead of the rest of its message. The server
// answers garbage (a malformed or oversized frame, a broken sequence) and handler failures
// with an ERROR frame, then resets that one stream; the node itself carries on.
// Every frame, every head and every body has a size limit, and every exchange a deadline.

import { setMaxListeners } from 'node:events';
import type { Connection, DialTarget, Libp2p, PeerId, Stream } from '@libp2p/interface';
import {
  decodeKindedFrame,
  encodeDataFrame,
  encodeEndFrame,
  encodeErrorFrame,
  encodeFrame,
  encodeHeadFrame,
  FrameBatch,
  FrameError,
  FrameKind,
  FrameReader,
  MAX_ERROR_BYTES,
  MAX_FRAME_SIZE,
  plainView,
  type JsonValue,
} from './frames.js';
import { closeOrAbort, streamPoolOf, type PooledStream } from './stream-pool.js';

export type { JsonValue } from './frames.js';

export interface RequestLimits {
  /** Largest HEAD (JSON) a side accepts, in bytes. */
  readonly maxHeadBytes: number;
  /** Largest body chunk (one DATA frame); senders split bodies into chunks of this size. */
  readonly maxChunkBytes: number;
  /** Largest body, summed over its chunks. */
  readonly maxBodyBytes: number;
  /** Deadline for a whole exchange: open, request, handler, response. */
  readonly timeoutMs: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxHeadBytes: 64 * 1024,
  maxChunkBytes: 1024 * 1024,
  maxBodyBytes: 64 * 1024 * 1024,
  timeoutMs: 60_000,
};

export type BodySource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface OutgoingMessage {
  readonly head: JsonValue;
  readonly body?: BodySource;
}

export interface IncomingRequest {
  readonly head: JsonValue;
  readonly peer: PeerId;
  /** The request body, chunk by chunk; it can be read once. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The whole body in one array (at most limits.maxBodyBytes). */
  readBody(): Promise<Uint8Array>;
  /** Aborts when the exchange fails or misses its deadline: stop working on it. */
  readonly signal: AbortSignal;
}

export interface Response {
  readonly head: JsonValue;
  readonly body: Uint8Array;
}

export type RequestHandler = (request: IncomingRequest) => OutgoingMessage | Promise<OutgoingMessage>;

/** Thrown by a handler to refuse a request with a code and a message the client will see. */
export class RequestRejection extends Error {
  override readonly name = 'RequestRejection';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type RequestErrorCode =
  | 'dial' // no connection, or the peer does not speak the protocol
  | 'timeout' // the exchange missed its deadline
  | 'aborted' // the caller's signal aborted
  | 'remote' // the peer answered with an ERROR frame (see remoteCode)
  | 'protocol' // the peer sent frames that break the protocol or its limits
  | 'closed' // the stream ended or was reset before the response was complete
  | 'too-large' // the request breaks the limits (checked here, before or while sending)
  | 'source'; // the request's body source threw (see cause)

/** What sendRequest throws. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly remoteCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error codes a server puts in ERROR frames. Handlers may add their own via RequestRejection. */
export const ServerErrorCode = {
  badRequest: 'bad-request',
  tooLarge: 'too-large',
  internal: 'internal',
  timeout: 'timeout',
} as const;

/**
 * Requests of one protocol that may run at once over one connection, on each side. libp2p's
 * own defaults (32 inbound, 64 outbound) reset the streams beyond them, which the client sees
 * only as a reset stream; callers should keep their concurrency per peer below this.
 */
export const MAX_CONCURRENT_REQUESTS = 128;

export interface HandleRequestsOptions {
  /** Streams of this protocol one connection may have open at once (MAX_CONCURRENT_REQUESTS). */
  readonly maxInboundStreams?: number;
  /** Told about every failed exchange (bad input, handler errors); never called with secrets. */
  readonly onError?: (error: Error, peer: PeerId) => void;
}

// ---- shared pieces ----

class ExchangeTimeout extends Error {
  override readonly name = 'ExchangeTimeout';
}

/** An outgoing message breaks the limits (found by the sender, so nothing bad was sent). */
class RequestTooLarge extends Error {
  override readonly name = 'RequestTooLarge';
}

/** The body iterable handed to writeMessage threw. */
class BodySourceError extends Error {
  override readonly name = 'BodySourceError';
}

/** A FrameError for limits that the frame layer cannot know about. */
function tooLarge(message: string): FrameError {
  return new FrameError('oversized', message);
}

function headFrameLimit(limits: RequestLimits): number {
  return Math.min(MAX_FRAME_SIZE, 1 + Math.max(limits.maxHeadBytes, MAX_ERROR_BYTES));
}

function bodyFrameLimit(limits: RequestLimits): number {
  return Math.min(MAX_FRAME_SIZE, 1 + Math.max(limits.maxChunkBytes, MAX_ERROR_BYTES));
}

function checkLimits(limits: RequestLimits): void {
  for (const key of ['maxHeadBytes', 'maxChunkBytes', 'maxBodyBytes', 'timeoutMs'] as const) {
    const value = limits[key];
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`limits.${key} must be a positive integer`);
  }
  if (limits.maxChunkBytes + 1 > MAX_FRAME_SIZE || limits.maxHeadBytes + 1 > MAX_FRAME_SIZE) {
    throw new RangeError(`limits.maxChunkBytes and maxHeadBytes must stay below ${MAX_FRAME_SIZE} bytes`);
  }
}

/** Thrown when the peer sent an ERROR frame; carries its code and message. */
class PeerErrorFrame extends Error {
  override readonly name = 'PeerErrorFrame';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readHead(reader: FrameReader, limits: RequestLimits): Promise<JsonValue | undefined> {
  const payload = await reader.next(headFrameLimit(limits));
  if (payload === undefined) return undefined;
  const frame = decodeKindedFrame(payload);
  if (frame.kind === FrameKind.error) throw new PeerErrorFrame(frame.code, frame.message);
  if (frame.kind !== FrameKind.head) throw new FrameError('malformed', 'a message must start with a HEAD frame');
  if (payload.length - 1 > limits.maxHeadBytes) {
    throw tooLarge(`HEAD of ${payload.length - 1} bytes exceeds the limit of ${limits.maxHeadBytes} bytes`);
  }
  return frame.head;
}

/** Yields a message's DATA chunks until END; enforces the body limits (counted in `count`). */
async function* readBodyFrames(
  reader: FrameReader,
  limits: RequestLimits,
  count: { bytes: number } = { bytes: 0 },
): AsyncGenerator<Uint8Array> {
  while (true) {
    const payload = await reader.nextList(bodyFrameLimit(limits));
    if (payload === undefined) throw new FrameError('truncated', 'stream ended before the END frame');
    if (payload.byteLength > 0 && payload.get(0) === FrameKind.data) {
      // Bulk data is passed on in the pieces it arrived in: no copy into one array.
      const length = payload.byteLength - 1;
      if (length > limits.maxChunkBytes) {
        throw tooLarge(`body chunk of ${length} bytes exceeds the limit of ${limits.maxChunkBytes} bytes`);
      }
      count.bytes += length;
      if (count.bytes > limits.maxBodyBytes) {
        throw tooLarge(`body exceeds the limit of ${limits.maxBodyBytes} bytes`);
      }
      for (const piece of payload.sublist(1)) if (piece.length > 0) yield plainView(piece);
      continue;
    }
    const frame = decodeKindedFrame(plainView(payload.subarray()));
    switch (frame.kind) {
      case FrameKind.data:
        throw new Error('unreachable: DATA frames are handled above');
      case FrameKind.end:
        return;
      case FrameKind.error:
        throw new PeerErrorFrame(frame.code, frame.message);
      case FrameKind.head:
        throw new FrameError('malformed', 'unexpected HEAD frame inside a body');
    }
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
  }
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * A message's frames are sent once this many bytes are gathered (and at its END): a block
 * and its HEAD and END leave in one send, and a long body does not pile up unsent.
 */
const SEND_BATCH_BYTES = 1024 * 1024;

/** Writes HEAD, the body as DATA frames of at most maxChunkBytes, and END. */
async function writeMessage(
  stream: Stream,
  message: OutgoingMessage,
  limits: RequestLimits,
  signal: AbortSignal,
): Promise<void> {
  const head = encodeHeadFrame(message.head);
  if (head.length - 1 > limits.maxHeadBytes) {
    throw new RequestTooLarge(`HEAD of ${head.length - 1} bytes exceeds the limit of ${limits.maxHeadBytes} bytes`);
  }
  // HEAD, DATA and END go out in as few sends as possible (FrameBatch says why).
  const frames = new FrameBatch();
  frames.add(head);
  const body = message.body;
  if (body !== undefined) {
    const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = body instanceof Uint8Array ? [body] : body;
    const asyncSource = isAsyncIterable(chunks);
    let total = 0;
    const add = async (chunk: Uint8Array): Promise<void> => {
      total += chunk.length;
      if (total > limits.maxBodyBytes) {
        throw new RequestTooLarge(`body exceeds the limit of ${limits.maxBodyBytes} bytes`);
      }
      for (let at = 0; at < chunk.length; at += limits.maxChunkBytes) {
        signal.throwIfAborted();
        frames.add(encodeDataFrame(chunk.subarray(at, at + limits.maxChunkBytes)));
        if (frames.byteLength >= SEND_BATCH_BYTES) await frames.flush(stream, { signal });
      }
    };
    // Pull chunks by hand so a throwing source is told apart from a failing stream.
    const iterator = asyncSource ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
    try {
      while (true) {
        // frames already made do not wait while an async source makes the next chunk
        if (asyncSource) await frames.flush(stream, { signal });
        let step: IteratorResult<Uint8Array>;
        try {
          step = await iterator.next();
        } catch (err) {
          throw new BodySourceError('body source failed', { cause: err });
        }
        if (step.done === true) break;
        await add(step.value);
      }
    } catch (err) {
      await Promise.resolve(iterator.return?.()).catch(() => undefined);
      throw err;
    }
  }
  signal.throwIfAborted();
  frames.add(encodeEndFrame());
  await frames.flush(stream, { signal });
}

/** Settles with `promise`, or rejects as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---- server ----

/** The one-shot body handed to a handler; tracks whether it was read to the end. */
class RequestBody implements AsyncIterable<Uint8Array> {
  private started = false;
  private finished = false;
  private readonly count = { bytes: 0 };

  constructor(
    private readonly reader: FrameReader,
    private readonly limits: RequestLimits,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    if (this.started) throw new Error('the request body can be read only once');
    this.started = true;
    yield* readBodyFrames(this.reader, this.limits, this.count);
    this.finished = true;
  }

  /**
   * After the response: reads and drops what the handler left unread, so the client can
   * finish sending. (A handler must not keep reading the body after it has answered, unless
   * the body is part of its answer.)
   */
  async drain(): Promise<void> {
    if (this.finished) return;
    for await (const _chunk of readBodyFrames(this.reader, this.limits, this.count)) {
      // dropped
    }
    this.finished = true;
  }
}

/**
 * Serves `protocol` on the host: each inbound stream carries one request, answered by
 * `handler`. Handler errors and bad input become ERROR frames on that stream only.
 */
export async function handleRequests(
  host: Libp2p,
  protocol: string,
  handler: RequestHandler,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
  options: HandleRequestsOptions = {},
): Promise<void> {
  checkLimits(limits);
  const served = servedStreams(host, protocol);
  await host.handle(
    protocol,
    async (stream: Stream, connection: Connection) => {
      served.add(stream);
      try {
        await serveStream(stream, connection, handler, limits, options.onError);
      } finally {
        served.delete(stream);
      }
    },
    { maxInboundStreams: options.maxInboundStreams ?? MAX_CONCURRENT_REQUESTS },
  );
}

/**
 * Stops serving `protocol`: no new streams, and the streams that handleRequests is serving
 * (clients keep them open between requests) are reset.
 */
export async function stopHandlingRequests(host: Libp2p, protocol: string): Promise<void> {
  await host.unhandle(protocol).catch(() => undefined);
  const served = servedStreams(host, protocol);
  for (const stream of served) stream.abort(new Error(`${protocol} is no longer served`));
  served.clear();
}

const servedByHost = new WeakMap<Libp2p, Map<string, Set<Stream>>>();

function servedStreams(host: Libp2p, protocol: string): Set<Stream> {
  let byProtocol = servedByHost.get(host);
  if (byProtocol === undefined) {
    byProtocol = new Map();
    servedByHost.set(host, byProtocol);
  }
  let streams = byProtocol.get(protocol);
  if (streams === undefined) {
    streams = new Set();
    byProtocol.set(protocol, streams);
  }
  return streams;
}

/** A stream with no request for this long is reset (clients let theirs go sooner). */
export const SERVER_IDLE_STREAM_MS = 120_000;

/** Serves requests on one stream, one after another, until the client closes it or it fails. */
async function serveStream(
  stream: Stream,
  connection: Connection,
  handler: RequestHandler,
  limits: RequestLimits,
  onError: ((error: Error, peer: PeerId) => void) | undefined,
): Promise<void> {
  const reader = new FrameReader(stream);
  try {
    while (await serveExchange(stream, reader, connection.remotePeer, handler, limits, onError));
  } finally {
    reader.release();
  }
}

/** Serves one request; resolves to whether the stream is ready for the next. */
async function serveExchange(
  stream: Stream,
  reader: FrameReader,
  peer: PeerId,
  handler: RequestHandler,
  limits: RequestLimits,
  onError: ((error: Error, peer: PeerId) => void) | undefined,
): Promise<boolean> {
  let head: JsonValue | undefined;
  const idle = setTimeout(() => stream.abort(new Error(`no request within ${SERVER_IDLE_STREAM_MS} ms`)), SERVER_IDLE_STREAM_MS);
  try {
    head = await readHead(reader, limits);
  } catch (err) {
    if (stream.status !== 'open') return false; // reset while idle: nothing to answer
    const [code, message] = errorFrameFor(err);
    await sendErrorAndReset(stream, code, message, err);
    onError?.(err instanceof Error ? err : new Error(String(err)), peer);
    return false;
  } finally {
    clearTimeout(idle);
  }
  if (head === undefined) {
    // the client closed its side between requests: done
    await closeOrAbort(stream);
    return false;
  }

  const controller = new AbortController();
  setMaxListeners(Infinity, controller.signal);
  const timer = setTimeout(() => {
    controller.abort(new ExchangeTimeout(`request not answered within ${limits.timeoutMs} ms`));
  }, limits.timeoutMs);
  // A deadline breaks any read or write in progress.
  const onAbort = (): void => {
    const reason = controller.signal.reason as Error;
    void sendErrorAndReset(stream, ServerErrorCode.timeout, reason.message, reason);
  };
  controller.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const body = new RequestBody(reader, limits);
    const request: IncomingRequest = {
      head,
      peer,
      body,
      readBody: () => collect(body),
      signal: controller.signal,
    };
    const response = await raceAbort(Promise.resolve(handler(request)), controller.signal);
    await writeMessage(stream, response, limits, controller.signal);
    await body.drain();
    return stream.status === 'open';
  } catch (err) {
    if (controller.signal.aborted) {
      onError?.(controller.signal.reason as Error, peer);
    } else {
      const [code, message] = errorFrameFor(err);
      await sendErrorAndReset(stream, code, message, err);
      const reported = err instanceof BodySourceError ? err.cause : err;
      onError?.(reported instanceof Error ? reported : new Error(String(reported)), peer);
    }
    return false;
  } finally {
    clearTimeout(timer);
    controller.signal.removeEventListener('abort', onAbort);
  }
}

/** What the client is told about a failure (internal details stay in the local log). */
function errorFrameFor(err: unknown): [string, string] {
  // A response body that streams the request body fails with the request's own errors.
  if (err instanceof BodySourceError) return errorFrameFor(err.cause);
  if (err instanceof RequestRejection) return [err.code, err.message];
  if (err instanceof FrameError) {
    return [err.code === 'oversized' ? ServerErrorCode.tooLarge : ServerErrorCode.badRequest, err.message];
  }
  if (err instanceof PeerErrorFrame) return [ServerErrorCode.badRequest, `client sent ERROR: ${err.message}`];
  return [ServerErrorCode.internal, 'internal error while handling the request'];
}

/** Best effort: tell the peer why, then kill the stream in both directions. */
async function sendErrorAndReset(stream: Stream, code: string, message: string, cause: unknown): Promise<void> {
  const error = cause instanceof Error ? cause : new Error(message);
  try {
    if (stream.writeStatus === 'writable') {
      stream.send(encodeFrame(encodeErrorFrame(code, message)));
      // Flush the ERROR frame before the reset, but do not wait on a peer that stopped reading.
      await stream.close({ signal: AbortSignal.timeout(2_000) });
    }
  } catch {
    // the stream is already broken; the reset below is all that is left
  }
  if (stream.status === 'open' || stream.status === 'closing') stream.abort(error);
}

// ---- client ----

export interface SendRequestOptions {
  readonly signal?: AbortSignal;
  /** Streams of this protocol one connection may have open at once (MAX_CONCURRENT_REQUESTS). */
  readonly maxOutboundStreams?: number;
  /**
   * Keep the stream for the next request (default true). Only for servers that answer
   * request after request on a stream, as handleRequests does.
   */
  readonly reuseStream?: boolean;
}

/**
 * Opens a stream for `protocol` to `peer` (reusing the connection), sends the request, and
 * returns the response. Throws RequestError; its `code` says what went wrong.
 */
export async function sendRequest(
  host: Libp2p,
  peer: DialTarget,
  protocol: string,
  request: OutgoingMessage,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
  options: SendRequestOptions = {},
): Promise<Response> {
  checkLimits(limits);
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  // Each wait on a full send buffer adds (and removes) a listener; many may overlap in libp2p.
  setMaxListeners(Infinity, signal);
  const target = describeTarget(peer);
  const failed = (err: unknown, during: string): RequestError => {
    if (err instanceof RequestError) return err;
    if (deadline.aborted) {
      return new RequestError('timeout', `${protocol} to ${target}: no complete response within ${limits.timeoutMs} ms`, undefined, { cause: err });
    }
    if (options.signal?.aborted === true) {
      return new RequestError('aborted', `${protocol} to ${target}: aborted by the caller`, undefined, { cause: err });
    }
    if (err instanceof RequestTooLarge) {
      return new RequestError('too-large', `${protocol} to ${target}: ${err.message}`);
    }
    if (err instanceof BodySourceError) {
      return new RequestError('source', `${protocol} to ${target}: the request body source failed: ${describeError(err.cause)}`, undefined, { cause: err.cause });
    }
    if (err instanceof PeerErrorFrame) {
      return new RequestError('remote', `${protocol} to ${target}: peer refused (${err.code}): ${err.message}`, err.code);
    }
    if (err instanceof FrameError && err.code === 'truncated') {
      return new RequestError('closed', `${protocol} to ${target}: the stream ended before the response was complete: ${err.message}`, undefined, { cause: err });
    }
    if (err instanceof FrameError) {
      return new RequestError('protocol', `${protocol} to ${target}: bad response: ${err.message}`, undefined, { cause: err });
    }
    return new RequestError('closed', `${protocol} to ${target}: stream failed ${during}: ${describeError(err)}`, undefined, { cause: err });
  };

  const pool = streamPoolOf(host);
  let pooled: PooledStream;
  try {
    pooled = await pool.acquire(peer, protocol, {
      signal,
      maxOutboundStreams: options.maxOutboundStreams ?? MAX_CONCURRENT_REQUESTS,
    });
  } catch (err) {
    if (deadline.aborted || options.signal?.aborted === true) throw failed(err, 'while opening');
    const hint =
      err instanceof Error && err.name === 'EncryptionFailedError'
        ? ' (the Noise handshake failed: the peer is probably not a member of this grid, i.e. it has another grid key)'
        : '';
    throw new RequestError(
      'dial',
      `${protocol} to ${target}: could not open a stream${hint}: ${describeError(err)}`,
      undefined,
      { cause: err },
    );
  }

  const { stream, reader } = pooled;
  const onAbort = (): void => stream.abort(new Error('request aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  // The request is written while the response is read: a server may answer (or refuse)
  // before it has read the whole request body, and a streaming server must not block on us.
  // The stream stays open afterwards, for the next request (stream-pool.ts).
  let writeError: unknown;
  const writing = writeMessage(stream, request, limits, signal).catch((err: unknown) => {
    // Without this the response read would wait for a request that will never complete.
    writeError = err;
    if (stream.status === 'open' || stream.status === 'closing') {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  });
  let reusable = false;
  try {
    let response: Response;
    try {
      const head = await readHead(reader, limits);
      if (head === undefined) throw new FrameError('truncated', 'stream ended before the response HEAD');
      response = { head, body: await collect(readBodyFrames(reader, limits)) };
    } catch (err) {
      // If our own write failed, that broke the read too: report the write's cause, unless
      // the peer told us why it gave up.
      if (writeError !== undefined && !(err instanceof PeerErrorFrame)) throw failed(writeError, 'while sending the request');
      throw failed(err, 'while reading the response');
    }
    await writing;
    if (writeError !== undefined) throw failed(writeError, 'while sending the request');
    reusable = true;
    return response;
  } catch (err) {
    if (stream.status === 'open' || stream.status === 'closing') stream.abort(err as Error);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (reusable && options.reuseStream !== false) {
      pool.release(pooled);
    } else {
      reader.release();
      if (reusable) void closeOrAbort(stream);
    }
  }
}

function describeTarget(peer: DialTarget): string {
  if (Array.isArray(peer)) return peer.map((addr) => addr.toString()).join(',');
  return peer.toString();
}
