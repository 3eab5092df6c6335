// The two grid gates between real processes: the Noise prologue (Cairn's) and libp2p's pnet
// (kept so the grid benchmark can compare them). Each admits members and refuses the rest.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCairnHost, type CairnHost, type GridMembership } from '../src-main/net/host.js';
import { generateNodeKey } from '../src-main/net/keys.js';
import { RequestError, sendRequest } from '../src-main/net/request.js';
import { TEST_LIMITS, TestProtocol } from './support/net-protocols.js';
import { startPeerProcess, type PeerProcess } from './support/net-process.js';

const gridKey = new Uint8Array(randomBytes(32));
const peers = new Map<string, PeerProcess>();
const hosts: CairnHost[] = [];

async function client(membership: GridMembership, key = gridKey): Promise<CairnHost> {
  const host = await createCairnHost({ privateKey: await generateNodeKey(), listen: ['/ip4/127.0.0.1/tcp/0'], gridKey: key, loopbackLimits: true, membership });
  hosts.push(host);
  return host;
}

async function echo(host: CairnHost, peer: PeerProcess): Promise<Uint8Array> {
  const body = new Uint8Array(randomBytes(64 * 1024));
  const response = await sendRequest(host, peer.addrs, TestProtocol.echo, { head: 'hi', body }, { ...TEST_LIMITS, timeoutMs: 5_000 });
  expect(Buffer.compare(response.body, body)).toBe(0);
  return response.body;
}

async function refused(host: CairnHost, peer: PeerProcess): Promise<RequestError> {
  const error = await echo(host, peer).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestError);
  expect((error as RequestError).code).toMatch(/^(dial|timeout)$/);
  return error as RequestError;
}

beforeAll(async () => {
  const [prologue, pnet] = await Promise.all([startPeerProcess(gridKey), startPeerProcess(gridKey, 30_000, 'pnet')]);
  peers.set('noise-prologue', prologue);
  peers.set('pnet', pnet);
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await Promise.all([...peers.values()].map((p) => p.stop()));
});

describe.each(['noise-prologue', 'pnet'] as const)('grid gate %s', (membership) => {
  it('admits a member', async () => {
    await echo(await client(membership), peers.get(membership)!);
  });

  it('refuses a peer with another grid key', async () => {
    await refused(await client(membership, new Uint8Array(randomBytes(32))), peers.get(membership)!);
  });

  it('refuses a peer that uses the other gate, even with the right key', async () => {
    const other = membership === 'pnet' ? 'noise-prologue' : 'pnet';
    await refused(await client(other), peers.get(membership)!);
  });

  it('still serves members after the refusals', async () => {
    await echo(await client(membership), peers.get(membership)!);
  });
});
