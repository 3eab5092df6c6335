// The introducer protocol's wire messages. One stream per request, Cairn message frames
// (frames.ts): the client opens a stream and sends one HEAD then END, and closes its write side.
//
//   announce:   → HEAD { op: "announce", announcement: { msg, sig } }, END
//               ← HEAD { result: "accepted" | "refreshed" | "stale", seq }, END     or ERROR
//                 (seq: the sequence number the introducer now holds for this server; "stale"
//                 means it holds a newer one, so the server should sign a higher seq)
//   subscribe:  → HEAD { op: "subscribe" }, END
//               ← HEAD { result: "subscribed", ttlMs }, then HEAD frames, without end:
//                   { type: "announcement", announcement: { msg, sig } }   a server, new or updated
//                   { type: "synced" }                                     the snapshot is complete
//                   { type: "expired", peerId }                            a server was forgotten
//                 until either side hangs up (the introducer sends END when it stops, or ERROR
//                 when it drops a subscriber, e.g. one too slow to read).
//
// An announcement is accepted only from the peer it announces (the Noise-authenticated remote
// peer id of the connection). Every announcement is forwarded as received, signature included,
// so subscribers verify it themselves and need not trust the introducer beyond liveness.

import type { Stream } from '@libp2p/interface';
import {
  decodeKindedFrame,
  encodeEndFrame,
  encodeErrorFrame,
  encodeFrame,
  encodeHeadFrame,
  FrameError,
  FrameKind,
  writeFrame,
  type FrameReader,
  type JsonValue,
} from '../frames.js';
import type { SignedAnnouncement } from './announcement.js';

export const INTRODUCER_PROTOCOL = '/cairn/introducer/1.0.0';

/** Largest frame either side accepts on this protocol (an announcement is at most 8 KiB of text). */
export const MAX_INTRODUCER_FRAME = 32 * 1024;

export type IntroducerRequest = { op: 'announce'; announcement: SignedAnnouncement } | { op: 'subscribe' };

export type AnnounceResult = 'accepted' | 'refreshed' | 'stale';

export interface AnnounceResponse {
  readonly result: AnnounceResult;
  readonly seq: number;
}

export type IntroducerPush =
  | { type: 'announcement'; announcement: SignedAnnouncement }
  | { type: 'synced' }
  | { type: 'expired'; peerId: string };

/** Codes in the introducer's ERROR frames. */
export const IntroducerErrorCode = {
  badRequest: 'bad-request',
  tooLarge: 'too-large',
  timeout: 'timeout',
  invalidAnnouncement: 'invalid-announcement',
  notYourPeerId: 'not-your-peer-id',
  full: 'full',
  tooSlow: 'too-slow',
  replaced: 'replaced',
  internal: 'internal',
} as const;

/** The peer sent an ERROR frame. */
export class PeerErrorFrame extends Error {
  override readonly name = 'PeerErrorFrame';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the next frame as a HEAD; undefined at a clean end of stream. ERROR → PeerErrorFrame. */
export async function readHead(reader: FrameReader): Promise<JsonValue | undefined> {
  const payload = await reader.next(MAX_INTRODUCER_FRAME);
  if (payload === undefined) return undefined;
  const frame = decodeKindedFrame(payload);
  if (frame.kind === FrameKind.error) throw new PeerErrorFrame(frame.code, frame.message);
  if (frame.kind === FrameKind.end) throw new FrameError('malformed', 'END where a HEAD was expected');
  if (frame.kind !== FrameKind.head) throw new FrameError('malformed', 'expected a HEAD frame');
  return frame.head;
}

/** Reads the END that closes a request (or response). */
export async function readEnd(reader: FrameReader): Promise<void> {
  const payload = await reader.next(MAX_INTRODUCER_FRAME);
  if (payload === undefined) throw new FrameError('truncated', 'stream ended before the END frame');
  const frame = decodeKindedFrame(payload);
  if (frame.kind === FrameKind.error) throw new PeerErrorFrame(frame.code, frame.message);
  if (frame.kind !== FrameKind.end) throw new FrameError('malformed', 'expected an END frame');
}

export function parseRequest(head: JsonValue): IntroducerRequest {
  if (!isRecord(head) || typeof head.op !== 'string') throw new FrameError('malformed', 'request HEAD must be { op, ... }');
  if (head.op === 'subscribe') return { op: 'subscribe' };
  if (head.op === 'announce') {
    // The announcement's own shape is checked by verifyAnnouncement.
    return { op: 'announce', announcement: head.announcement as unknown as SignedAnnouncement };
  }
  throw new FrameError('malformed', `unknown introducer op "${head.op.slice(0, 40)}"`);
}

export function parseAnnounceResponse(head: JsonValue): AnnounceResponse {
  if (
    isRecord(head) &&
    (head.result === 'accepted' || head.result === 'refreshed' || head.result === 'stale') &&
    typeof head.seq === 'number' &&
    Number.isSafeInteger(head.seq)
  ) {
    return { result: head.result, seq: head.seq };
  }
  throw new FrameError('malformed', 'announce response must be { result, seq }');
}

/** A push frame; unknown types are returned as undefined (ignored, for later versions). */
export function parsePush(head: JsonValue): IntroducerPush | undefined {
  if (!isRecord(head) || typeof head.type !== 'string') throw new FrameError('malformed', 'push HEAD must be { type, ... }');
  switch (head.type) {
    case 'announcement':
      return { type: 'announcement', announcement: head.announcement as unknown as SignedAnnouncement };
    case 'synced':
      return { type: 'synced' };
    case 'expired':
      if (typeof head.peerId !== 'string' || head.peerId.length > 128) throw new FrameError('malformed', 'expired push needs a peerId');
      return { type: 'expired', peerId: head.peerId };
    default:
      return undefined;
  }
}

export function writeHead(stream: Stream, head: JsonValue, signal?: AbortSignal): Promise<void> {
  return writeFrame(stream, encodeHeadFrame(head), signal === undefined ? {} : { signal });
}

export function writeEnd(stream: Stream, signal?: AbortSignal): Promise<void> {
  return writeFrame(stream, encodeEndFrame(), signal === undefined ? {} : { signal });
}

/** Best effort: tell the peer why, then kill the stream in both directions. */
export async function sendErrorAndReset(stream: Stream, code: string, message: string): Promise<void> {
  try {
    if (stream.writeStatus === 'writable') {
      stream.send(encodeFrame(encodeErrorFrame(code, message)));
      // Flush the ERROR frame before the reset, but do not wait on a peer that stopped reading.
      await stream.close({ signal: AbortSignal.timeout(2_000) });
    }
  } catch {
    // the stream is already broken; the reset below is all that is left
  }
  if (stream.status === 'open' || stream.status === 'closing') stream.abort(new Error(`${code}: ${message}`));
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
