import { randomBytes } from 'node:crypto';
import { streamPair } from '@libp2p/utils';
import { describe, expect, it } from 'vitest';
import {
  decodeKindedFrame,
  encodeDataFrame,
  encodeEndFrame,
  encodeErrorFrame,
  encodeHeadFrame,
  FrameError,
  FrameKind,
  FrameReader,
  writeFrame,
} from '../src-main/net/frames.js';

function lengthPrefix(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

describe('frames over an in-memory stream pair', () => {
  it('round-trips frames of many sizes, including empty ones', async () => {
    const [a, b] = await streamPair();
    const reader = new FrameReader(b);
    const sizes = [0, 1, 3, 4, 5, 1000, 65_536, 300_000];
    const frames = sizes.map((n) => new Uint8Array(randomBytes(n)));
    const writing = (async () => {
      for (const f of frames) await writeFrame(a, f);
      await a.close();
    })();
    for (const f of frames) expect(await reader.next(4 * 1024 * 1024)).toEqual(f);
    expect(await reader.next(16)).toBeUndefined();
    await writing;
  });

  it('reassembles frames split across arbitrary chunk boundaries', async () => {
    const [a, b] = await streamPair();
    const reader = new FrameReader(b);
    const payloads = [new Uint8Array(randomBytes(10)), new Uint8Array(randomBytes(70_000)), new Uint8Array(0)];
    const wire = Buffer.concat(payloads.flatMap((p) => [lengthPrefix(p.length), p]));
    for (let at = 0; at < wire.length; ) {
      const step = 1 + (at % 7919);
      a.send(wire.subarray(at, at + step));
      at += step;
    }
    await a.close();
    for (const p of payloads) expect(await reader.next(100_000)).toEqual(p);
    expect(await reader.next(10)).toBeUndefined();
  });

  it('rejects an oversized length prefix after 4 bytes, without waiting for the claimed bytes', async () => {
    const [a, b] = await streamPair();
    const reader = new FrameReader(b);
    a.send(lengthPrefix(0xffffffff)); // claims 4 GiB; nothing else is sent and the stream stays open
    const err = await reader.next(1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FrameError);
    expect((err as FrameError).code).toBe('oversized');
    expect((err as FrameError).message).toMatch(/4294967295 bytes exceeds the limit of 1024/);
    expect(reader.bufferedBytes).toBe(4);
    a.abort(new Error('test done'));
  });

  it('reports a frame truncated by the end of the stream', async () => {
    const [a, b] = await streamPair();
    const reader = new FrameReader(b);
    a.send(lengthPrefix(100));
    a.send(new Uint8Array(10));
    await a.close();
    const err = await reader.next(1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FrameError);
    expect((err as FrameError).code).toBe('truncated');
  });

  it('reports a length prefix truncated by the end of the stream', async () => {
    const [a, b] = await streamPair();
    const reader = new FrameReader(b);
    a.send(new Uint8Array([0, 0]));
    await a.close();
    await expect(reader.next(1024)).rejects.toMatchObject({ name: 'FrameError', code: 'truncated' });
  });

  it('surfaces a reset as an error, after delivering the frames that arrived before it', async () => {
    const [a, b] = await streamPair();
    const reader = new FrameReader(b);
    await writeFrame(a, Uint8Array.of(1, 2, 3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    a.abort(new Error('boom'));
    expect(await reader.next(10)).toEqual(Uint8Array.of(1, 2, 3));
    await expect(reader.next(10)).rejects.toThrow();
  });

  it('pauses the stream when far ahead of its consumer, and resumes on demand', async () => {
    const [a, b] = await streamPair();
    const reader = new FrameReader(b, 64 * 1024);
    const chunk = new Uint8Array(32 * 1024);
    const writing = (async () => {
      for (let i = 0; i < 64; i++) await writeFrame(a, chunk);
      await a.close();
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(b.readStatus).toBe('paused');
    let n = 0;
    while ((await reader.next(chunk.length)) !== undefined) n++;
    expect(n).toBe(64);
    await writing;
  });
});

describe('message codec', () => {
  it('encodes and decodes every kind', () => {
    expect(decodeKindedFrame(encodeHeadFrame({ a: [1, 'x', null] }))).toEqual({ kind: FrameKind.head, head: { a: [1, 'x', null] } });
    const data = decodeKindedFrame(encodeDataFrame(Uint8Array.of(9, 8)).subarray());
    expect(data).toEqual({ kind: FrameKind.data, data: Uint8Array.of(9, 8) });
    expect(decodeKindedFrame(encodeEndFrame())).toEqual({ kind: FrameKind.end });
    expect(decodeKindedFrame(encodeErrorFrame('too-large', 'nope'))).toEqual({
      kind: FrameKind.error,
      code: 'too-large',
      message: 'nope',
    });
  });

  it('cuts long error messages', () => {
    const frame = decodeKindedFrame(encodeErrorFrame('x', 'y'.repeat(10_000)));
    expect(frame.kind === FrameKind.error && frame.message.length).toBeLessThanOrEqual(1001);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['unknown kind', Uint8Array.of(0x7f, 1, 2)],
    ['HEAD not JSON', Uint8Array.of(FrameKind.head, 0x7b)],
    ['HEAD not UTF-8', Uint8Array.of(FrameKind.head, 0xff, 0xfe)],
    ['END with data', Uint8Array.of(FrameKind.end, 0)],
    ['ERROR without fields', encodeHeadFrame({ code: 1 }).map((b, i) => (i === 0 ? FrameKind.error : b))],
  ])('rejects garbage: %s', (_name, payload) => {
    expect(() => decodeKindedFrame(payload)).toThrow(FrameError);
  });
});
