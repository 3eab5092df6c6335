// Raw access to the introducer protocol for tests: subscribe and read pushes, send a request,
// forge announcements (sign arbitrary text with any key).
import type { Ed25519PrivateKey, Libp2p, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { decodeKindedFrame, FrameKind, FrameReader, writeFrame, type JsonValue, type KindedFrame } from '../../src-main/net/frames.js';
import {
  ANNOUNCEMENT_SIGNING_PREFIX,
  INTRODUCER_PROTOCOL,
  MAX_INTRODUCER_FRAME,
  type IntroducerPush,
  type SignedAnnouncement,
} from '../../src-main/net/introducer/index.js';
import { readHead, writeEnd, writeHead } from '../../src-main/net/introducer/protocol.js';
import { sendRequest, type Response } from '../../src-main/net/request.js';

export const ANNOUNCE_TEST_LIMITS = {
  maxHeadBytes: MAX_INTRODUCER_FRAME - 1,
  maxChunkBytes: 1024,
  maxBodyBytes: 1024,
  timeoutMs: 10_000,
};

export function toAddrs(addrs: readonly string[]) {
  return addrs.map((a) => multiaddr(a));
}

/** Signs `msg` exactly as given (canonical or not, truthful or not) with `key`. */
export async function signText(key: Ed25519PrivateKey, msg: string): Promise<SignedAnnouncement> {
  const sig = await key.sign(new TextEncoder().encode(ANNOUNCEMENT_SIGNING_PREFIX + msg));
  return { msg, sig: Buffer.from(sig).toString('base64') };
}

/** Sends an announce request (any content) and returns the response. */
export function announceRaw(host: Libp2p, addrs: readonly string[], announcement: unknown): Promise<Response> {
  return sendRequest(host, toAddrs(addrs), INTRODUCER_PROTOCOL, { head: { op: 'announce', announcement } as JsonValue }, ANNOUNCE_TEST_LIMITS);
}

export interface RawSubscription {
  readonly stream: Stream;
  /** Pushes up to and including the first "synced". */
  readonly snapshot: IntroducerPush[];
  /** The next push (HEAD frames only). */
  next(): Promise<IntroducerPush | undefined>;
  close(): void;
}

/** Subscribes and reads the snapshot. */
export async function subscribeRaw(host: Libp2p, addrs: readonly string[]): Promise<RawSubscription> {
  const stream = await host.dialProtocol(toAddrs(addrs), INTRODUCER_PROTOCOL);
  const reader = new FrameReader(stream);
  await writeHead(stream, { op: 'subscribe' });
  await writeEnd(stream);
  await stream.close();
  const head = await readHead(reader);
  if ((head as { result?: unknown } | undefined)?.result !== 'subscribed') throw new Error(`unexpected answer ${JSON.stringify(head)}`);
  const next = async (): Promise<IntroducerPush | undefined> => (await readHead(reader)) as IntroducerPush | undefined;
  const snapshot: IntroducerPush[] = [];
  while (true) {
    const push = await next();
    if (push === undefined) throw new Error('subscription ended during the snapshot');
    snapshot.push(push);
    if (push.type === 'synced') break;
  }
  return {
    stream,
    snapshot,
    next,
    close: () => {
      reader.release();
      if (stream.status === 'open' || stream.status === 'closing') stream.abort(new Error('test done'));
    },
  };
}

/** Peer ids in a snapshot. */
export function announcedPeerIds(pushes: readonly IntroducerPush[]): string[] {
  return pushes
    .filter((p): p is Extract<IntroducerPush, { type: 'announcement' }> => p.type === 'announcement')
    .map((p) => (JSON.parse(p.announcement.msg) as { peerId: string }).peerId);
}

/** Opens a raw introducer stream, lets `send` write anything, returns the first frame back. */
export async function rawExchange(
  host: Libp2p,
  addrs: readonly string[],
  send: (stream: Stream) => Promise<void>,
): Promise<KindedFrame> {
  const stream = await host.dialProtocol(toAddrs(addrs), INTRODUCER_PROTOCOL);
  const reader = new FrameReader(stream);
  try {
    await send(stream);
    const payload = await reader.next(64 * 1024);
    if (payload === undefined) throw new Error('the introducer closed the stream without a frame');
    return decodeKindedFrame(payload);
  } finally {
    reader.release();
    if (stream.status === 'open') stream.abort(new Error('test done'));
  }
}

export { FrameKind, writeFrame };
