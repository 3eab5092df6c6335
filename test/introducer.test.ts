// The introducer protocol between real processes on 127.0.0.1: an introducer, three storage
// servers that announce themselves, and a client that learns and dials them. Adversarial
// peers run in this process.
import { randomBytes } from 'node:crypto';
import type { Stream } from '@libp2p/interface';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeadFrame, FrameKind, FrameReader, writeFrame, type JsonValue } from '../src-main/net/frames.js';
import { createCairnHost, type CairnHost } from '../src-main/net/host.js';
import { generateNodeKey, serializeNodeKey, type NodePrivateKey } from '../src-main/net/keys.js';
import {
  canonicalJson,
  INTRODUCER_PROTOCOL,
  signAnnouncement,
  type AnnouncementBody,
  type IntroducerAddress,
  type SignedAnnouncement,
} from '../src-main/net/introducer/index.js';
import { readEnd, readHead, writeHead } from '../src-main/net/introducer/protocol.js';
import { RequestError } from '../src-main/net/request.js';
import {
  startIntroducerPeer,
  type IntroducerPeerProcess,
  type PeerConfig,
  type PeerEvent,
} from './support/introducer-process.js';
import { announcedPeerIds, announceRaw, rawExchange, signText, subscribeRaw } from './support/introducer-wire.js';

const gridKey = new Uint8Array(randomBytes(32));

/** Short timings so restarts and expiry happen within seconds. */
const CLIENT_TIMINGS: PeerConfig['client'] = {
  refreshIntervalMs: 1_000,
  changeCheckIntervalMs: 300,
  introducerBackoff: { initialMs: 200, maxMs: 800 },
  serverBackoff: { initialMs: 200, maxMs: 800 },
  dialTimeoutMs: 3_000,
  requestTimeoutMs: 5_000,
};
const SERVICE_OPTIONS: PeerConfig['service'] = {
  ttlMs: 4_000,
  sweepIntervalMs: 250,
  requestTimeoutMs: 2_000,
  subscriberWriteTimeoutMs: 2_000,
};

interface Node {
  key: NodePrivateKey;
  proc: IntroducerPeerProcess;
}

let introducerKey: NodePrivateKey;
let introducer: IntroducerPeerProcess;
let introducerAddress: IntroducerAddress;
const servers: Node[] = [];
let client: IntroducerPeerProcess;
let member: CairnHost; // an adversarial member of the grid, in this process
const extra: IntroducerPeerProcess[] = []; // stopped in afterAll
const allPids: number[] = [];

async function start(config: PeerConfig, key?: NodePrivateKey, grid = gridKey): Promise<IntroducerPeerProcess> {
  const proc = await startIntroducerPeer(config, { gridKey: grid, ...(key === undefined ? {} : { nodeKey: serializeNodeKey(key) }) });
  allPids.push(proc.pid);
  return proc;
}

function startIntroducer(port = 0): Promise<IntroducerPeerProcess> {
  return start({ role: 'introducer', port, service: SERVICE_OPTIONS }, introducerKey);
}

function startServer(key: NodePrivateKey, nickname: string, port = 0): Promise<IntroducerPeerProcess> {
  return start(
    { role: 'server', port, nickname, introducer: introducerAddress, client: { ...CLIENT_TIMINGS, subscribe: false } },
    key,
  );
}

function startClient(): Promise<IntroducerPeerProcess> {
  return start({ role: 'client', introducer: introducerAddress, client: CLIENT_TIMINGS });
}

const is =
  (event: string, peerId?: string, extraMatch: (e: PeerEvent) => boolean = () => true) =>
  (e: PeerEvent): boolean =>
    e.event === event && (peerId === undefined || e.peerId === peerId) && extraMatch(e);

function server(i: number): Node {
  const node = servers[i];
  if (node === undefined) throw new Error(`no server ${i}`);
  return node;
}

beforeAll(async () => {
  introducerKey = await generateNodeKey();
  introducer = await startIntroducer();
  introducerAddress = { peerId: introducer.peerId, addresses: introducer.addrs };
  const keys = await Promise.all([0, 1, 2].map(() => generateNodeKey()));
  const procs = await Promise.all(keys.map((key, i) => startServer(key, `server-${i}`)));
  keys.forEach((key, i) => servers.push({ key, proc: procs[i] as IntroducerPeerProcess }));
  client = await startClient();
  member = await createCairnHost({
    privateKey: await generateNodeKey(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    gridKey,
    loopbackLimits: true,
  });
});

afterAll(async () => {
  if (process.env.CAIRN_TEST_DUMP) for (const p of [introducer, client, ...servers.map((s) => s.proc)]) console.log(p?.stderr());
  await member?.stop();
  await Promise.all([introducer?.stop(), client?.stop(), ...servers.map((s) => s.proc.stop()), ...extra.map((p) => p.stop())]);
  for (const pid of allPids) expect(() => process.kill(pid, 0)).toThrow(); // every process is gone
});

describe('an introducer, three servers and a client, in separate processes', () => {
  it('the client learns all three servers and connects to each', async () => {
    for (const [i, s] of servers.entries()) {
      const added = await client.waitFor(is('server-added', s.proc.peerId));
      expect(added).toMatchObject({ nickname: `server-${i}`, freeSpace: 1_000_000_000, state: 'connecting' });
      expect(added.addresses).toEqual(s.proc.addrs);
      await client.waitFor(is('server-connected', s.proc.peerId));
      await s.proc.waitFor((e) => e.event === 'announced' && e.result === 'accepted');
    }
    await client.waitFor(is('introducer-connected', introducer.peerId));
    // The client never dials the introducer as a server: it is not one.
    expect(client.events.filter((e) => e.event === 'server-added')).toHaveLength(3);
  });

  it('a server re-announces when its free space changes', async () => {
    const mark = client.events.length;
    server(0).proc.send('free 12345');
    const updated = await client.waitFor(is('server-updated', server(0).proc.peerId), { since: mark });
    expect(updated.freeSpace).toBe(12345);
  });

  it('a server that crashes and restarts (same key, same port) is seen again and reconnected', async () => {
    const s = server(1);
    const before = await client.waitFor(is('server-added', s.proc.peerId));
    // Connected first, so that the kill is seen as a disconnection.
    await client.waitFor(is('server-connected', s.proc.peerId));
    const mark = client.events.length;
    await s.proc.kill();
    await client.waitFor(is('server-disconnected', s.proc.peerId), { since: mark });
    s.proc = await startServer(s.key, 'server-1-again', s.proc.port);
    // Seen again: an update of the record it had or, when the restart outlasted the
    // announcement's TTL and the record expired meanwhile, a new record.
    const updated = await client.waitFor(
      (e) => (e.event === 'server-updated' || e.event === 'server-added') && e.peerId === s.proc.peerId,
      { since: mark },
    );
    expect(updated.nickname).toBe('server-1-again');
    expect(updated.seq as number).toBeGreaterThan(before.seq as number);
    await client.waitFor(is('server-connected', s.proc.peerId), { since: mark });
  });

  it('after the introducer restarts (same key, same port), clients and servers rejoin by themselves', async () => {
    const clientMark = client.events.length;
    const serverMarks = servers.map((s) => s.proc.events.length);
    const port = introducer.port;
    await introducer.kill();
    await client.waitFor(is('introducer-disconnected', introducer.peerId), { since: clientMark });
    introducer = await startIntroducer(port);
    await client.waitFor(is('introducer-connected', introducer.peerId), { since: clientMark });
    // Every server announces itself to the new introducer (which remembered nothing).
    await Promise.all(
      servers.map((s, i) => s.proc.waitFor((e) => e.event === 'announced' && e.result === 'accepted', { since: serverMarks[i] })),
    );
    // So a client that joins now learns all three from the restarted introducer.
    const late = await startClient();
    extra.push(late);
    for (const s of servers) await late.waitFor(is('server-connected', s.proc.peerId));
    // The first client kept its server connections through the introducer's restart.
    expect(client.events.slice(clientMark).filter((e) => e.event === 'server-disconnected')).toEqual([]);
    await late.stop();
  });
});

describe('forged announcements', () => {
  async function genuineOf(peerId: string): Promise<SignedAnnouncement> {
    const sub = await subscribeRaw(member, introducer.addrs);
    try {
      const push = sub.snapshot.find(
        (p) => p.type === 'announcement' && (JSON.parse(p.announcement.msg) as { peerId: string }).peerId === peerId,
      );
      if (push?.type !== 'announcement') throw new Error(`the introducer does not know ${peerId}`);
      return push.announcement;
    } finally {
      sub.close();
    }
  }

  async function refusal(promise: Promise<unknown>): Promise<RequestError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestError);
    return err as RequestError;
  }

  it('the introducer refuses forged, tampered and relayed announcements', async () => {
    const victim = server(0).proc.peerId;
    const genuine = await genuineOf(victim);
    const mark = client.events.length;
    const genuineBody = JSON.parse(genuine.msg) as AnnouncementBody;
    const evilKey = await generateNodeKey();

    // Signed by key A (ours), claiming peer id B (the victim).
    const forged = await signText(evilKey, canonicalJson({ ...genuineBody, nickname: 'evil', seq: genuineBody.seq + 10 }));
    let err = await refusal(announceRaw(member, introducer.addrs, forged));
    expect(err.remoteCode).toBe('invalid-announcement');
    expect(err.message).toMatch(/bad-signature/);

    // The victim's own signature, with one field changed.
    const tampered = { ...genuine, msg: genuine.msg.replace(/"freeSpace":\d+/, '"freeSpace":999999999999') };
    expect(tampered.msg).not.toBe(genuine.msg);
    err = await refusal(announceRaw(member, introducer.addrs, tampered));
    expect(err.remoteCode).toBe('invalid-announcement');

    // A genuine announcement, relayed by someone else.
    err = await refusal(announceRaw(member, introducer.addrs, genuine));
    expect(err.remoteCode).toBe('not-your-peer-id');

    // Not even the shape.
    err = await refusal(announceRaw(member, introducer.addrs, { msg: 42 }));
    expect(err.remoteCode).toBe('invalid-announcement');

    // The introducer still holds the genuine announcement, and the client heard nothing new.
    expect((await genuineOf(victim)).msg).toBe(genuine.msg);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.events.slice(mark).filter((e) => e.peerId === victim && e.event === 'server-updated')).toEqual([]);
  });

  it('a client drops forged announcements, even from its own introducer', async () => {
    // A malicious introducer (in this process) pushes forged announcements to a real client.
    const fakeKey = await generateNodeKey();
    const fake = await createCairnHost({ privateKey: fakeKey, listen: ['/ip4/127.0.0.1/tcp/0'], gridKey, loopbackLimits: true });
    try {
      const victim = server(0).proc.peerId;
      const genuine = await genuineOf(victim);
      const genuineBody = JSON.parse(genuine.msg) as AnnouncementBody;
      const fakeAddrs = fake.getMultiaddrs().map((a) => a.toString());
      const honest = await signAnnouncement(fakeKey, {
        peerId: fake.peerId.toString(),
        addresses: fakeAddrs,
        nickname: 'the-fake-itself',
        version: 'evil/1',
        freeSpace: 1,
        seq: 1,
        issuedAt: Date.now(),
      });
      const honestBody = JSON.parse(honest.msg) as AnnouncementBody;
      const pushes: JsonValue[] = [
        // signed by the fake's key, claiming the victim's peer id
        { type: 'announcement', announcement: await signText(fakeKey, canonicalJson({ ...genuineBody, nickname: 'evil', seq: genuineBody.seq + 1 })) },
        // the victim's signature over edited text
        { type: 'announcement', announcement: { ...genuine, msg: genuine.msg.replace('server-0', 'server-X') } },
        // not canonical (whitespace), though properly signed by the peer it names
        { type: 'announcement', announcement: await signText(fakeKey, JSON.stringify({ ...honestBody, seq: 2 }, null, 1)) },
        { type: 'announcement', announcement: { msg: 5, sig: 'x' } },
        { type: 'announcement', announcement: honest },
        { type: 'synced' },
      ];
      await fake.handle(INTRODUCER_PROTOCOL, async (stream: Stream) => {
        const reader = new FrameReader(stream);
        const head = (await readHead(reader)) as { op?: string };
        await readEnd(reader);
        if (head.op === 'announce') {
          await writeHead(stream, { result: 'accepted', seq: 1 });
          await writeFrame(stream, Uint8Array.of(FrameKind.end));
          await stream.close();
          return;
        }
        await writeHead(stream, { result: 'subscribed', ttlMs: 60_000 });
        for (const push of pushes) await writeFrame(stream, encodeHeadFrame(push));
      });
      const victimOfFake = await start({
        role: 'client',
        introducer: { peerId: fake.peerId.toString(), addresses: fakeAddrs },
        client: CLIENT_TIMINGS,
      });
      extra.push(victimOfFake);
      await victimOfFake.waitFor(is('synced'));
      const rejected = victimOfFake.events.filter((e) => e.event === 'announcement-rejected');
      expect(rejected.map((e) => e.code)).toEqual(['bad-signature', 'bad-signature', 'malformed', 'malformed']);
      expect(rejected[0]?.claimedPeerId).toBe(victim);
      const added = victimOfFake.events.filter((e) => e.event === 'server-added');
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ peerId: fake.peerId.toString(), nickname: 'the-fake-itself' });
      // The reasons are logged by the client process.
      expect(victimOfFake.stderr()).toMatch(/dropped an invalid announcement claiming \S+ \(bad-signature\)/);
      await victimOfFake.stop();
    } finally {
      await fake.stop();
    }
  });
});

describe('grid membership', () => {
  it('a peer with another grid key can neither announce nor subscribe', async () => {
    const otherGrid = new Uint8Array(randomBytes(32));
    const outsider = await start(
      { role: 'server', nickname: 'outsider', introducer: introducerAddress, client: { ...CLIENT_TIMINGS, subscribe: true } },
      undefined,
      otherGrid,
    );
    extra.push(outsider);
    // It keeps failing at the handshake, and retrying.
    await outsider.waitFor((e) => e.event === 'log' && /unreachable/.test(String(e.message)));
    const second = outsider.events.length;
    await outsider.waitFor((e) => e.event === 'log' && /unreachable/.test(String(e.message)), { since: second });
    expect(outsider.events.filter((e) => ['announced', 'introducer-connected', 'server-added'].includes(e.event))).toEqual([]);

    // The same from this process: the Noise handshake fails before any introducer message.
    const stranger = await createCairnHost({
      privateKey: await generateNodeKey(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      gridKey: otherGrid,
      loopbackLimits: true,
    });
    try {
      const err = await announceRaw(stranger, introducer.addrs, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RequestError);
      expect((err as RequestError).code).toBe('dial');
      await expect(subscribeRaw(stranger, introducer.addrs)).rejects.toMatchObject({ name: 'EncryptionFailedError' });
    } finally {
      await stranger.stop();
    }
    expect(client.events.filter((e) => e.peerId === outsider.peerId)).toEqual([]);
    const sub = await subscribeRaw(member, introducer.addrs);
    expect(announcedPeerIds(sub.snapshot)).not.toContain(outsider.peerId);
    sub.close();
    await outsider.stop();
  });
});

describe('garbage on the introducer protocol', () => {
  const garbage: [string, (s: Stream) => Promise<void>, string, RegExp][] = [
    ['random bytes', async (s) => void s.send(new Uint8Array(randomBytes(1000))), '', /./],
    ['an oversized length prefix', async (s) => void s.send(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1)), 'too-large', /exceeds the limit/],
    ['an unknown frame kind', (s) => writeFrame(s, Uint8Array.of(0x7f, 1, 2)), 'bad-request', /unknown frame kind/],
    ['a HEAD that is not JSON', (s) => writeFrame(s, Uint8Array.of(FrameKind.head, 0x7b, 0x7b)), 'bad-request', /not UTF-8 JSON/],
    ['an unknown op', (s) => writeFrame(s, encodeHeadFrame({ op: 'delete-everything' })), 'bad-request', /unknown introducer op/],
    ['a HEAD that is not an object', (s) => writeFrame(s, encodeHeadFrame([1, 2, 3])), 'bad-request', /must be \{ op/],
    ['END first', (s) => writeFrame(s, Uint8Array.of(FrameKind.end)), 'bad-request', /END where a HEAD/],
    [
      'a request cut short',
      async (s) => {
        s.send(Uint8Array.of(0, 0, 0, 50, FrameKind.head, 0x7b));
        await s.close();
      },
      'bad-request',
      /ended inside a frame/,
    ],
  ];

  for (const [what, send, code, message] of garbage) {
    it(`answers ${what} with an ERROR frame and keeps serving`, async () => {
      const mark = client.events.length;
      const frame = await rawExchange(member, introducer.addrs, send);
      expect(frame.kind).toBe(FrameKind.error);
      if (frame.kind === FrameKind.error) {
        if (code !== '') expect(frame.code).toBe(code);
        expect(frame.message).toMatch(message);
      }
      const sub = await subscribeRaw(member, introducer.addrs);
      expect(announcedPeerIds(sub.snapshot).sort()).toEqual(servers.map((s) => s.proc.peerId).sort());
      sub.close();
      expect(client.events.slice(mark).filter((e) => e.event === 'introducer-disconnected')).toEqual([]);
    });
  }

  it('drops a request that never completes, after its deadline', async () => {
    const frame = await rawExchange(member, introducer.addrs, (s) => writeFrame(s, encodeHeadFrame({ op: 'subscribe' })));
    expect(frame).toMatchObject({ kind: FrameKind.error, code: 'timeout' });
  });
});

describe('expiry', () => {
  it('a server that stops re-announcing is forgotten after the TTL, and clients are told', async () => {
    const s = server(2);
    const mark = client.events.length;
    await s.proc.kill();
    await client.waitFor(is('server-disconnected', s.proc.peerId), { since: mark });
    const removed = await client.waitFor(is('server-removed', s.proc.peerId), { since: mark, timeoutMs: 15_000 });
    expect(removed.at - (client.events[mark]?.at ?? 0)).toBeGreaterThanOrEqual(2_000); // TTL 4 s, counted from the last refresh
    const sub = await subscribeRaw(member, introducer.addrs);
    expect(announcedPeerIds(sub.snapshot)).not.toContain(s.proc.peerId);
    sub.close();
    // No longer dialled: nothing more about it arrives.
    const after = client.events.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(client.events.slice(after).filter((e) => e.peerId === s.proc.peerId)).toEqual([]);
  });
});
