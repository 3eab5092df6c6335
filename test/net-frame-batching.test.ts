// A request's HEAD, DATA and END frames leave in one send, so the peer receives them in as
// few Yamux frames as the window allows (each costs a window update and Noise messages).
// Two hosts in this process over real libp2p on 127.0.0.1; the server side counts the
// stream's 'message' events, one per Yamux data frame delivered.
import { randomBytes } from 'node:crypto';
import type { Stream } from '@libp2p/interface';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKindedFrame, encodeEndFrame, encodeHeadFrame, FrameBatch, FrameKind, FrameReader } from '../src-main/net/frames.js';
import { createCairnHost, type CairnHost } from '../src-main/net/host.js';
import { generateNodeKey } from '../src-main/net/keys.js';
import { sendRequest } from '../src-main/net/request.js';
import { TEST_LIMITS } from './support/net-protocols.js';

const LIMITS = { ...TEST_LIMITS, maxChunkBytes: 64 * 1024 };

const PROTOCOL = '/cairn/test-frame-count/1.0.0';
const gridKey = new Uint8Array(randomBytes(32));
let client: CairnHost;
let server: CairnHost;

/** What the server saw of each request: its frames' kinds and the Yamux frames they came in. */
interface Seen {
  kinds: number[];
  bodyBytes: number;
  messages: number;
}
const seen: Seen[] = [];

/**
 * Serves requests on one stream until it closes: reads each frame by frame, counting the
 * stream's messages, and answers HEAD + END.
 */
async function serve(stream: Stream): Promise<void> {
  let messages = 0;
  const count = (): void => {
    messages++;
  };
  stream.addEventListener('message', count);
  const reader = new FrameReader(stream);
  try {
    let record: Seen = { kinds: [], bodyBytes: 0, messages: 0 };
    while (true) {
      const payload = await reader.next(1024 * 1024);
      if (payload === undefined) return;
      const frame = decodeKindedFrame(payload);
      record.kinds.push(frame.kind);
      if (frame.kind === FrameKind.data) record.bodyBytes += frame.data.length;
      if (frame.kind !== FrameKind.end) continue;
      record.messages = messages;
      messages = 0;
      seen.push(record);
      record = { kinds: [], bodyBytes: 0, messages: 0 };
      const answer = new FrameBatch();
      answer.add(encodeHeadFrame({ ok: true }));
      answer.add(encodeEndFrame());
      await answer.flush(stream);
    }
  } finally {
    stream.removeEventListener('message', count);
    reader.release();
  }
}

beforeAll(async () => {
  const make = async (): Promise<CairnHost> =>
    createCairnHost({ privateKey: await generateNodeKey(), listen: ['/ip4/127.0.0.1/tcp/0'], gridKey, loopbackLimits: true });
  [client, server] = await Promise.all([make(), make()]);
  await server.handle(PROTOCOL, (stream) => serve(stream).catch(() => undefined));
});

afterAll(async () => {
  await Promise.all([client?.stop(), server?.stop()]);
});

async function request(body: Uint8Array | undefined): Promise<Seen> {
  const before = seen.length;
  const response = await sendRequest(client, server.getMultiaddrs(), PROTOCOL, { head: { op: 'count' }, ...(body === undefined ? {} : { body }) }, LIMITS);
  expect(response.head).toEqual({ ok: true });
  expect(seen.length).toBe(before + 1);
  return seen[before]!;
}

describe('frame batching', () => {
  it('sends a request without a body as HEAD and END in one Yamux frame', async () => {
    const record = await request(undefined);
    expect(record.kinds).toEqual([FrameKind.head, FrameKind.end]);
    expect(record.messages).toBe(1);
  });

  it('sends a small body with its HEAD and END in one Yamux frame', async () => {
    const record = await request(new Uint8Array(randomBytes(10_000)));
    expect(record.kinds).toEqual([FrameKind.head, FrameKind.data, FrameKind.end]);
    expect(record.bodyBytes).toBe(10_000);
    expect(record.messages).toBe(1);
  });

  it('splits a body into DATA frames of maxChunkBytes and still sends them together', async () => {
    // 200 KiB in 64 KiB chunks: four DATA frames, under Yamux's first 256 KiB window
    const record = await request(new Uint8Array(randomBytes(200 * 1024)));
    expect(record.kinds).toEqual([FrameKind.head, FrameKind.data, FrameKind.data, FrameKind.data, FrameKind.data, FrameKind.end]);
    expect(record.bodyBytes).toBe(200 * 1024);
    expect(record.messages).toBe(1);
  });
});
