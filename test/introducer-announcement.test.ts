// Signed announcements: canonical bytes, signatures bound to the announced peer id, limits.
// Also the small pieces the introducer client is built from (backoff, typed emitter).
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { generateNodeKey, type NodePrivateKey } from '../src-main/net/keys.js';
import {
  AnnouncementError,
  Backoff,
  canonicalJson,
  signAnnouncement,
  TypedEmitter,
  verifyAnnouncement,
  type AnnouncementBody,
  type AnnouncementErrorCode,
  type SignedAnnouncement,
} from '../src-main/net/introducer/index.js';
import { signText } from './support/introducer-wire.js';

async function bodyFor(key: NodePrivateKey, changes: Partial<Record<keyof AnnouncementBody, unknown>> = {}): Promise<AnnouncementBody> {
  const peerId = peerIdFromPrivateKey(key).toString();
  return {
    peerId,
    addresses: ['/ip4/192.0.2.7/tcp/4001', `/ip4/127.0.0.1/tcp/4001/p2p/${peerId}`],
    nickname: 'alice’s NAS 🗄',
    version: 'cairn/0.1.0',
    freeSpace: 5 * 1024 ** 4,
    seq: 1_700_000_000_000,
    issuedAt: 1_700_000_000_000,
    ...changes,
  } as AnnouncementBody;
}

async function rejection(promise: Promise<unknown>, code: AnnouncementErrorCode, message?: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AnnouncementError);
  expect((err as AnnouncementError).code).toBe(code);
  if (message !== undefined) expect((err as AnnouncementError).message).toMatch(message);
}

describe('canonical JSON', () => {
  it('sorts keys at every level and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 'é', x: null }], c: true })).toBe('{"a":[{"x":null,"y":"é"}],"b":1,"c":true}');
  });

  it('refuses numbers that are not safe integers', () => {
    expect(() => canonicalJson({ a: 1.5 })).toThrow(AnnouncementError);
    expect(() => canonicalJson({ a: 2 ** 53 })).toThrow(AnnouncementError);
  });
});

describe('signAnnouncement / verifyAnnouncement', () => {
  it('round-trips, and the text is canonical JSON', async () => {
    const key = await generateNodeKey();
    const body = await bodyFor(key);
    const signed = await signAnnouncement(key, body);
    expect(signed.msg).toBe(canonicalJson(body));
    expect(signed.sig).toHaveLength(88);
    expect(await verifyAnnouncement(signed)).toEqual(body);
  });

  it('is deterministic (Ed25519): the same body gives the same bytes and signature', async () => {
    const key = await generateNodeKey();
    const body = await bodyFor(key);
    expect(await signAnnouncement(key, body)).toEqual(await signAnnouncement(key, { ...body }));
  });

  it('refuses to sign for another peer id', async () => {
    const [a, b] = [await generateNodeKey(), await generateNodeKey()];
    await rejection(signAnnouncement(a, await bodyFor(b)), 'bad-field', /peer id of the key/);
  });

  it('rejects an announcement signed by key A that claims peer id B', async () => {
    const [a, b] = [await generateNodeKey(), await generateNodeKey()];
    const forged = await signText(a, canonicalJson(await bodyFor(b)));
    await rejection(verifyAnnouncement(forged), 'bad-signature', /not signed by that peer's key/);
  });

  it('rejects any edited field', async () => {
    const key = await generateNodeKey();
    const signed = await signAnnouncement(key, await bodyFor(key));
    const edits: [RegExp, string][] = [
      [/"freeSpace":\d+/, '"freeSpace":1'],
      [/"seq":\d+/, '"seq":1700000000001'],
      [/"nickname":"[^"]*"/, '"nickname":"mallory"'],
      [/192\.0\.2\.7/, '192.0.2.8'],
    ];
    for (const [pattern, replacement] of edits) {
      const msg = signed.msg.replace(pattern, replacement);
      expect(msg).not.toBe(signed.msg);
      await rejection(verifyAnnouncement({ ...signed, msg }), 'bad-signature');
    }
  });

  it('rejects a bad or missing signature', async () => {
    const key = await generateNodeKey();
    const signed = await signAnnouncement(key, await bodyFor(key));
    const flipped = Buffer.from(signed.sig, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    await rejection(verifyAnnouncement({ ...signed, sig: flipped.toString('base64') }), 'bad-signature');
    await rejection(verifyAnnouncement({ ...signed, sig: '' }), 'bad-signature');
    await rejection(verifyAnnouncement({ ...signed, sig: '!'.repeat(88) }), 'bad-signature');
    await rejection(verifyAnnouncement({ msg: signed.msg }), 'malformed');
  });

  it('does not accept a signature made for something else with the same key', async () => {
    const key = await generateNodeKey();
    const msg = canonicalJson(await bodyFor(key));
    const bare = Buffer.from(await key.sign(new TextEncoder().encode(msg))).toString('base64'); // no domain prefix
    await rejection(verifyAnnouncement({ msg, sig: bare }), 'bad-signature');
  });

  it('rejects text that is not canonical, even when properly signed', async () => {
    const key = await generateNodeKey();
    const body = await bodyFor(key);
    const variants = [
      JSON.stringify(body, null, 1), // whitespace
      JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(canonicalJson(body)) as object).reverse())), // key order
      canonicalJson(body).replace('"seq":', '"seq":0'), // leading zero (not even JSON)
      canonicalJson(body).replace(/"version":"([^"]*)"/, '"version":"\\u0063airn/0.1.0"'), // escaped letter
      canonicalJson(body).replace('{', `{"peerId":"${body.peerId}",`), // duplicate key
    ];
    for (const msg of variants) await rejection(verifyAnnouncement(await signText(key, msg)), 'malformed');
  });

  it('accepts unknown extra fields (signed, bounded) and returns only the known ones', async () => {
    const key = await generateNodeKey();
    const body = await bodyFor(key);
    const signed = await signText(key, canonicalJson({ ...body, zones: ['eu'], future: { x: 1 } }));
    expect(await verifyAnnouncement(signed)).toEqual(body);
  });

  it('enforces the limits on every field', async () => {
    const key = await generateNodeKey();
    const peerId = peerIdFromPrivateKey(key).toString();
    const cases: [Partial<Record<keyof AnnouncementBody, unknown>>, RegExp][] = [
      [{ nickname: 'n'.repeat(65) }, /nickname is 65 characters/],
      [{ nickname: 'bad\nname' }, /control characters/],
      [{ nickname: 'rtl\u202eevil' }, /control characters/],
      [{ nickname: '\ud800' }, /well-formed/],
      [{ version: 'v'.repeat(65) }, /version is 65 characters/],
      [{ addresses: [] }, /must not be empty/],
      [{ addresses: Array.from({ length: 17 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`) }, /17 addresses; the limit is 16/],
      [{ addresses: [`/dns4/${'a'.repeat(250)}.example/tcp/1`] }, /addresses\[0\] is 2\d\d characters/],
      [{ addresses: ['not a multiaddr'] }, /not a multiaddr/],
      [{ addresses: ['/ip4/1.2.3.4/tcp/1', '/ip4/1.2.3.4/tcp/1'] }, /duplicate/],
      [{ addresses: [`/ip4/1.2.3.4/tcp/1/p2p/${peerIdFromPrivateKey(await generateNodeKey()).toString()}`] }, /another peer id/],
      [{ freeSpace: -1 }, /freeSpace must be a non-negative safe integer/],
      [{ freeSpace: '5' }, /freeSpace/],
      [{ seq: undefined }, /seq/],
      [{ issuedAt: 1.5 }, /issuedAt/],
      [{ peerId: 'QmNotAPeerId' }, /peerId is not a libp2p peer id/],
      [{ peerId: peerId.toLowerCase() }, /peerId/],
    ];
    for (const [changes, message] of cases) {
      const body = { ...(await bodyFor(key)), ...changes };
      await rejection(signAnnouncement(key, body as AnnouncementBody), 'bad-field', message);
      // The same body, signed regardless, fails verification (1.5 already fails as non-canonical).
      const msg = JSON.stringify(JSON.parse(JSON.stringify(body)), (_k, v: unknown) =>
        typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
      );
      if (changes.issuedAt === 1.5) await rejection(verifyAnnouncement(await signText(key, msg)), 'malformed');
      else await rejection(verifyAnnouncement(await signText(key, msg)), 'bad-field', message);
    }
  });

  it('accepts exactly the limits', async () => {
    const key = await generateNodeKey();
    const body = await bodyFor(key, {
      nickname: '🗄'.repeat(64),
      version: 'v'.repeat(64),
      addresses: Array.from({ length: 16 }, (_, i) => `/dns4/${'a'.repeat(200)}${i}.example/tcp/${1000 + i}`),
      freeSpace: Number.MAX_SAFE_INTEGER,
    });
    expect(await verifyAnnouncement(await signAnnouncement(key, body))).toEqual(body);
  });

  it('rejects oversized text before parsing it', async () => {
    const key = await generateNodeKey();
    const body = await bodyFor(key);
    const huge = await signText(key, canonicalJson({ ...body, padding: 'x'.repeat(9000) }));
    await rejection(verifyAnnouncement(huge), 'too-large');
  });

  it('accepts only Ed25519 peer ids (the key must be inside the peer id)', async () => {
    const secp = await generateKeyPair('secp256k1');
    const ed = await generateNodeKey();
    const body = await bodyFor(ed, { peerId: peerIdFromPrivateKey(secp).toString(), addresses: ['/ip4/1.2.3.4/tcp/1'] });
    await rejection(verifyAnnouncement(await signText(ed, canonicalJson(body))), 'bad-field', /Ed25519/);
  });

  it('rejects values that are not announcements at all', async () => {
    for (const value of [null, 'x', 42, [], { msg: 1, sig: 2 }, { msg: 'not json', sig: 'A'.repeat(86) + '==' }]) {
      const err = await verifyAnnouncement(value as unknown as SignedAnnouncement).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AnnouncementError);
    }
  });
});

describe('Backoff', () => {
  it('doubles from initialMs up to maxMs and resets', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 60_000, jitter: 0 });
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    backoff.reset();
    expect(backoff.next()).toBe(1000);
  });

  it('jitters downwards only, within the jitter fraction', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.2 }, () => 0.999);
    expect(backoff.next()).toBe(800);
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe('TypedEmitter', () => {
  class Emitter extends TypedEmitter<{ a: number; b: string }> {
    fire<K extends 'a' | 'b'>(event: K, payload: { a: number; b: string }[K]): void {
      this.emit(event, payload);
    }
  }

  it('delivers to listeners, supports off/once, and survives a throwing listener', () => {
    const errors: string[] = [];
    const emitter = new Emitter((event, err) => errors.push(`${event}: ${(err as Error).message}`));
    const seen: unknown[] = [];
    const off = emitter.on('a', (n) => seen.push(n));
    emitter.once('b', (s) => seen.push(s));
    emitter.on('a', () => {
      throw new Error('boom');
    });
    emitter.on('a', (n) => seen.push(n * 10));
    emitter.fire('a', 1);
    emitter.fire('b', 'x');
    emitter.fire('b', 'y');
    off();
    emitter.fire('a', 2);
    expect(seen).toEqual([1, 10, 'x', 20]);
    expect(errors).toEqual(['a: boom', 'a: boom']);
    expect(emitter.listenerCount('a')).toBe(2);
  });
});
