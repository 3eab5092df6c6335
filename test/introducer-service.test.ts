// The introducer service and client in one process (hosts on 127.0.0.1): subscriber queues and
// backpressure, limits, seq rules, and a node that is its own introducer. The scenarios between
// separate processes are in introducer.test.ts.
import { randomBytes } from 'node:crypto';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCairnHost, type CairnHost } from '../src-main/net/host.js';
import { generateNodeKey, type NodePrivateKey } from '../src-main/net/keys.js';
import {
  AnnounceRefused,
  IntroducerClient,
  serveIntroducer,
  signAnnouncement,
  type IntroducerClientEvents,
  type IntroducerService,
  type IntroducerServiceOptions,
  type SignedAnnouncement,
} from '../src-main/net/introducer/index.js';
import { RequestError } from '../src-main/net/request.js';
import { announcedPeerIds, announceRaw, subscribeRaw } from './support/introducer-wire.js';

const gridKey = new Uint8Array(randomBytes(32));
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function host(key?: NodePrivateKey): Promise<CairnHost> {
  const h = await createCairnHost({
    privateKey: key ?? (await generateNodeKey()),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    gridKey,
    loopbackLimits: true,
  });
  cleanup.push(async () => {
    await h.stop();
  });
  return h;
}

async function introducer(options: IntroducerServiceOptions = {}): Promise<{ host: CairnHost; service: IntroducerService; addrs: string[] }> {
  const h = await host();
  const service = await serveIntroducer(h, options);
  cleanup.push(() => service.stop());
  return { host: h, service, addrs: h.getMultiaddrs().map((a) => a.toString()) };
}

async function announcementOf(
  key: NodePrivateKey,
  changes: { seq?: number; nickname?: string; freeSpace?: number; addresses?: string[] } = {},
): Promise<SignedAnnouncement> {
  return signAnnouncement(key, {
    peerId: peerIdFromPrivateKey(key).toString(),
    addresses: changes.addresses ?? ['/ip4/127.0.0.1/tcp/9'],
    nickname: changes.nickname ?? 'n',
    version: 'cairn/test',
    freeSpace: changes.freeSpace ?? 1,
    seq: changes.seq ?? 1,
    issuedAt: 1,
  });
}

function collect<K extends keyof IntroducerClientEvents>(client: IntroducerClient, event: K): IntroducerClientEvents[K][] {
  const seen: IntroducerClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}

const FAST = {
  refreshIntervalMs: 1_000,
  changeCheckIntervalMs: 200,
  introducerBackoff: { initialMs: 100, maxMs: 400 },
  serverBackoff: { initialMs: 100, maxMs: 400 },
  dialTimeoutMs: 3_000,
  requestTimeoutMs: 5_000,
};

describe('subscriber queues', () => {
  it('a subscriber that stops reading is dropped and does not hold up the others', async () => {
    const warnings: string[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const { service, addrs } = await introducer({ subscriberWriteTimeoutMs: 2_000, maxServers: 5_000, log });
    const slowHost = await host();
    const fastHost = await host();
    const slow = await subscribeRaw(slowHost, addrs);
    const fast = await subscribeRaw(fastHost, addrs);
    cleanup.push(async () => {
      slow.close();
      fast.close();
    });
    expect(service.subscriberCount).toBe(2);
    // The slow subscriber stops reading: Yamux stops granting the introducer send window
    // (at most 4 MiB, see host.ts), so once that much is in flight its queue stops moving.
    slow.stream.pause();

    // 1500 servers with ~4 KiB announcements: 6 MB, more than a stream window. They go
    // straight into the service (over the network, each would have to come from its own peer).
    const count = 1500;
    const keys = await Promise.all(Array.from({ length: count }, () => generateNodeKey()));
    const addresses = Array.from({ length: 16 }, (_, i) => `/dns4/${'a'.repeat(230)}${i}.example/tcp/${1000 + i}`);
    const signed = await Promise.all(keys.map((key) => announcementOf(key, { addresses })));
    const received = (async () => {
      const peers = new Set<string>();
      while (peers.size < count) {
        const push = await fast.next();
        if (push?.type === 'announcement') peers.add((JSON.parse(push.announcement.msg) as { peerId: string }).peerId);
      }
    })();
    for (const [i, key] of keys.entries()) {
      await service.announce(signed[i], peerIdFromPrivateKey(key).toString());
      // Everyone shares this process's event loop: let the network (and the readers) run.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // The reading subscriber got every one, and only the other was dropped, for not reading.
    await received;
    await vi.waitFor(() => expect(service.subscriberCount).toBe(1), { timeout: 10_000 });
    expect(warnings.filter((w) => /dropping subscriber/.test(w))).toEqual([expect.stringContaining(slowHost.peerId.toString())]);
    expect(warnings.join('\n')).toMatch(/dropping subscriber \S+: did not read for 2000 ms/);
    await vi.waitFor(() => expect(slow.stream.status).not.toBe('open'), { timeout: 5_000 });
  });

  it('a newer subscription from the same peer replaces the older one', async () => {
    const { service, addrs } = await introducer();
    const h = await host();
    const first = await subscribeRaw(h, addrs);
    const second = await subscribeRaw(h, addrs);
    cleanup.push(async () => {
      first.close();
      second.close();
    });
    expect(service.subscriberCount).toBe(1);
    await expect(first.next()).rejects.toMatchObject({ code: 'replaced' });
  });
});

describe('announcements at the service', () => {
  it('keeps the highest seq, refreshes on the same announcement, reports stale ones', async () => {
    const { service } = await introducer();
    const key = await generateNodeKey();
    const peer = peerIdFromPrivateKey(key).toString();
    const v2 = await announcementOf(key, { seq: 2 });
    expect(await service.announce(v2, peer)).toEqual({ result: 'accepted', seq: 2 });
    expect(await service.announce(v2, peer)).toEqual({ result: 'refreshed', seq: 2 });
    expect(await service.announce(await announcementOf(key, { seq: 1 }), peer)).toEqual({ result: 'stale', seq: 2 });
    // Same seq, other content: not a refresh, and not taken.
    expect(await service.announce(await announcementOf(key, { seq: 2, nickname: 'other' }), peer)).toEqual({ result: 'stale', seq: 2 });
    expect(await service.announce(await announcementOf(key, { seq: 3 }), peer)).toEqual({ result: 'accepted', seq: 3 });
    expect(service.announcements().map((a) => a.body.seq)).toEqual([3]);
  });

  it('refuses new servers beyond maxServers', async () => {
    const { service, host: h, addrs } = await introducer({ maxServers: 2 });
    void h;
    for (let i = 0; i < 2; i++) {
      const key = await generateNodeKey();
      await service.announce(await announcementOf(key), peerIdFromPrivateKey(key).toString());
    }
    const key = await generateNodeKey();
    const err = await service.announce(await announcementOf(key), peerIdFromPrivateKey(key).toString()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnnounceRefused);
    expect((err as AnnounceRefused).code).toBe('full');
    // Over the network too.
    const remoteKey = await generateNodeKey();
    const remote = await host(remoteKey);
    const netErr = await announceRaw(remote, addrs, await announcementOf(remoteKey)).catch((e: unknown) => e);
    expect((netErr as RequestError).remoteCode).toBe('full');
  });

  it('forgets a server after the TTL and pushes the expiry', async () => {
    const { service, addrs } = await introducer({ ttlMs: 300, sweepIntervalMs: 50 });
    const sub = await subscribeRaw(await host(), addrs);
    cleanup.push(async () => sub.close());
    const key = await generateNodeKey();
    const peer = peerIdFromPrivateKey(key).toString();
    await service.announce(await announcementOf(key), peer);
    expect(await sub.next()).toMatchObject({ type: 'announcement' });
    expect(await sub.next()).toEqual({ type: 'expired', peerId: peer });
    expect(service.announcements()).toEqual([]);
  });
});

describe('IntroducerClient in one process', () => {
  it('signs above a seq the introducer kept from an earlier run (clock went back)', async () => {
    const { service, addrs, host: ih } = await introducer();
    const key = await generateNodeKey();
    const peer = peerIdFromPrivateKey(key).toString();
    const future = Date.now() + 365 * 24 * 3600 * 1000;
    await service.announce(await announcementOf(key, { seq: future }), peer);
    const serverHost = await host(key);
    const client = new IntroducerClient(serverHost, {
      ...FAST,
      introducer: { peerId: ih.peerId.toString(), addresses: addrs },
      privateKey: key,
      storage: { nickname: 'back-in-time', version: 'cairn/test', freeSpace: () => 5 },
      subscribe: false,
    });
    const announced = collect(client, 'announced');
    client.start();
    cleanup.push(() => client.stop());
    await vi.waitFor(() => expect(announced.length).toBeGreaterThan(0));
    expect(announced[0]).toEqual({ seq: future + 1, result: 'accepted' });
    expect(service.announcements()[0]?.body).toMatchObject({ nickname: 'back-in-time', seq: future + 1 });
  });

  it('a node that is its own introducer uses the service in-process, and others see its server', async () => {
    const introducerKey = await generateNodeKey();
    const ih = await host(introducerKey);
    const service = await serveIntroducer(ih);
    cleanup.push(() => service.stop());
    const address = { peerId: ih.peerId.toString(), addresses: ih.getMultiaddrs().map((a) => a.toString()) };
    expect(() => new IntroducerClient(ih, { introducer: address })).toThrow(/pass its IntroducerService as `local`/);

    let free = 1_000;
    const own = new IntroducerClient(ih, {
      ...FAST,
      introducer: address,
      local: service,
      privateKey: introducerKey,
      storage: { nickname: 'founder', version: 'cairn/test', freeSpace: () => free, minFreeSpaceChange: 1 },
    });
    const ownConnected = collect(own, 'server-connected');
    own.start();
    cleanup.push(() => own.stop());

    const otherKey = await generateNodeKey();
    const other = await host(otherKey);
    const otherClient = new IntroducerClient(other, {
      ...FAST,
      introducer: address,
      privateKey: otherKey,
      storage: { nickname: 'friend', version: 'cairn/test', freeSpace: () => 2_000 },
    });
    const otherUpdated = collect(otherClient, 'server-updated');
    otherClient.start();
    cleanup.push(() => otherClient.stop());

    await vi.waitFor(() => {
      expect(own.servers.get(ih.peerId.toString())?.state).toBe('self');
      expect(own.servers.get(other.peerId.toString())?.state).toBe('connected');
      expect(otherClient.servers.get(ih.peerId.toString())?.state).toBe('connected');
      expect(otherClient.servers.get(other.peerId.toString())?.state).toBe('self');
    });
    expect(own.introducerConnected).toBe(true);
    expect(ownConnected.map((e) => e.peerId)).toEqual([other.peerId.toString()]);
    expect(own.servers.usable().map((s) => s.announcement.nickname).sort()).toEqual(['founder', 'friend']);

    // A change of free space reaches the others.
    free = 500;
    await own.announceNow();
    await vi.waitFor(() => expect(otherUpdated.some((e) => e.announcement.freeSpace === 500)).toBe(true));
    const sub = await subscribeRaw(await host(), address.addresses);
    expect(announcedPeerIds(sub.snapshot).sort()).toEqual([ih.peerId.toString(), other.peerId.toString()].sort());
    sub.close();
  });

  it('redials a server with backoff while it is away, and stops when told it expired', async () => {
    const { addrs, host: ih, service } = await introducer({ ttlMs: 1_500, sweepIntervalMs: 100 });
    const serverKey = await generateNodeKey();
    const serverHost = await createCairnHost({ privateKey: serverKey, listen: ['/ip4/127.0.0.1/tcp/0'], gridKey, loopbackLimits: true });
    let serverStopped = false;
    cleanup.push(async () => {
      if (!serverStopped) await serverHost.stop();
    });
    const address = { peerId: ih.peerId.toString(), addresses: addrs };
    const server = new IntroducerClient(serverHost, {
      ...FAST,
      introducer: address,
      privateKey: serverKey,
      storage: { nickname: 'flaky', version: 'cairn/test', freeSpace: () => 1 },
      subscribe: false,
    });
    server.start();
    const client = new IntroducerClient(await host(), { ...FAST, introducer: address });
    const disconnected = collect(client, 'server-disconnected');
    const removed = collect(client, 'server-removed');
    client.start();
    cleanup.push(() => client.stop());
    const serverPeer = serverHost.peerId.toString();
    await vi.waitFor(() => expect(client.servers.get(serverPeer)?.state).toBe('connected'));

    await server.stop();
    await serverHost.stop();
    serverStopped = true;
    await vi.waitFor(() => expect(disconnected.map((e) => e.peerId)).toEqual([serverPeer]));
    await vi.waitFor(() => expect(client.servers.get(serverPeer)?.failures).toBeGreaterThanOrEqual(2));
    const entry = client.servers.get(serverPeer);
    expect(entry?.state).toBe('connecting');
    expect(entry?.lastError).toMatch(/ECONNREFUSED|connect/);
    await vi.waitFor(() => expect(removed).toEqual([{ peerId: serverPeer }]), { timeout: 5_000 });
    expect(client.servers.has(serverPeer)).toBe(false);
    expect(service.announcements()).toEqual([]);
  });

  it('reaches servers from saved announcements while the introducer is down', async () => {
    const serverKey = await generateNodeKey();
    const serverHost = await host(serverKey);
    const saved = await announcementOf(serverKey, { addresses: serverHost.getMultiaddrs().map((a) => a.toString()) });
    const forged = { ...saved, msg: saved.msg.replace('"nickname":"n"', '"nickname":"m"') };
    const deadIntroducer = { peerId: peerIdFromPrivateKey(await generateNodeKey()).toString(), addresses: ['/ip4/127.0.0.1/tcp/1'] };
    const client = new IntroducerClient(await host(), { ...FAST, introducer: deadIntroducer, knownAnnouncements: [forged, saved] });
    const rejected = collect(client, 'announcement-rejected');
    client.start();
    cleanup.push(() => client.stop());
    await vi.waitFor(() => expect(client.servers.get(serverHost.peerId.toString())?.state).toBe('connected'));
    expect(client.introducerConnected).toBe(false);
    expect(rejected.map((r) => r.code)).toEqual(['bad-signature']);
  });
});
