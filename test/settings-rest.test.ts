// GET/PATCH /settings and GET /debug-log against real `cairn run` processes: an introducer
// and three storage nodes (four servers), encoding 2/3/4.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { webApiOf, type WebApi } from './support/web-api.js';
import { CONFIG_FILE } from '../src-main/node/node-dir.js';

let grid: GridHarness;
let aliceNode: NodeProcess;
let bobNode: NodeProcess;
let alice: WebApi;
let bob: WebApi;

interface SettingsJson {
  nickname: string;
  reservedSpace: number | null;
  encoding: { needed: number; happy: number; total: number };
  launchAtLogin: null;
}

async function settingsOf(api: WebApi): Promise<SettingsJson> {
  const response = await api.call('GET', '/settings');
  expect(response.status).toBe(200);
  return (await response.json()) as SettingsJson;
}

function patch(api: WebApi, body: unknown): Promise<Response> {
  return api.call('PATCH', '/settings', { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

async function errorOf(response: Response, status: number): Promise<string> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return (JSON.parse(body) as { error: string }).error;
}

/** k and n of a CHK cap: URI:CHK:key:hash:k:n:size */
function kAndN(cap: string): [number, number] {
  const parts = cap.split(':');
  expect(parts.slice(0, 2)).toEqual(['URI', 'CHK']);
  return [Number(parts[4]), Number(parts[5])];
}

async function upload(api: WebApi): Promise<string> {
  const response = await api.call('PUT', '/uri', { body: randomBytes(20_000) });
  const cap = await response.text();
  expect(response.status, cap).toBe(200);
  return cap;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  grid = await GridHarness.create(3, { needed: 2, happy: 3, total: 4 });
  await grid.startAll();
  [aliceNode, bobNode] = grid.storageNodes as [NodeProcess, NodeProcess];
  await Promise.all([grid.waitForServers(aliceNode, 4, cairn), grid.waitForServers(bobNode, 4, cairn)]);
  [alice, bob] = await Promise.all([webApiOf(aliceNode), webApiOf(bobNode)]);
}, 60_000);

afterAll(async () => {
  await grid?.destroy();
});

describe('GET and PATCH /settings', () => {
  it('shows the node\'s settings; launch at login is the desktop app\'s (null)', async () => {
    const settings = await settingsOf(alice);
    expect(settings.encoding).toEqual({ needed: 2, happy: 3, total: 4 });
    expect(typeof settings.nickname).toBe('string');
    expect(settings.reservedSpace).toBeGreaterThanOrEqual(0);
    expect(settings.launchAtLogin).toBeNull();
  });

  it('a changed encoding is saved to cairn.json and used by the very next upload', async () => {
    expect(kAndN(await upload(alice))).toEqual([2, 4]);
    const response = await patch(alice, { encoding: { needed: 3, happy: 4, total: 4 } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as SettingsJson).encoding).toEqual({ needed: 3, happy: 4, total: 4 });
    const onDisk = JSON.parse(await readFile(join(aliceNode.dir, CONFIG_FILE), 'utf8')) as { shares: unknown; web: unknown };
    expect(onDisk.shares).toEqual({ needed: 3, happy: 4, total: 4 });
    expect(onDisk.web).toBeDefined(); // every other key kept
    expect(kAndN(await upload(alice))).toEqual([3, 4]);
    expect((await settingsOf(alice)).encoding).toEqual({ needed: 3, happy: 4, total: 4 });
  });

  it('bad input is a 400 with a one-line message and changes nothing', async () => {
    const configBefore = await readFile(join(aliceNode.dir, CONFIG_FILE), 'utf8');
    const before = await settingsOf(alice);
    const cases: Array<[unknown, RegExp]> = [
      [{ encoding: { needed: 5, happy: 5, total: 4 } }, /K \(shares needed\)/],
      [{ encoding: { needed: 2, happy: 1, total: 4 } }, /happy/],
      [{ encoding: { needed: 2, happy: 3, total: 300 } }, /N \(shares made\)/],
      [{ nickname: '' }, /nickname is empty/],
      [{ nickname: 'x'.repeat(65) }, /nickname/],
      [{ reservedSpace: -1 }, /reserved space/],
      [{ reservedSpace: 1.5 }, /reserved space/],
      [{ nickname: 'fine', launchAtLogin: true }, /desktop app/],
      [{ colour: 'blue' }, /colour/],
      [{}, /nothing to change/],
      ['{not json', /sent as JSON/],
    ];
    for (const [body, message] of cases) {
      const error = await errorOf(await patch(alice, body), 400);
      expect(error, JSON.stringify(body)).toMatch(message);
      expect(error).not.toContain('\n');
    }
    expect(await readFile(join(aliceNode.dir, CONFIG_FILE), 'utf8')).toBe(configBefore);
    expect(await settingsOf(alice)).toEqual(before);
    expect(await errorOf(await alice.call('DELETE', '/settings'), 405)).toMatch(/DELETE is not allowed/);
  });

  it('a new nickname and reserved space reach the grid in the next announcement', async () => {
    const bobId = (await grid.status(bobNode)).peerId;
    const response = await patch(bob, { nickname: 'bobby', reservedSpace: Number.MAX_SAFE_INTEGER });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ nickname: 'bobby', reservedSpace: Number.MAX_SAFE_INTEGER });
    // all of bob's disk is now kept free: he announces no free space, under his new name
    const seen = await waitFor('alice to see bob renamed and full', async () => {
      const peer = (await grid.status(aliceNode)).peers.find((p) => p.peerId === bobId);
      return peer?.nickname === 'bobby' && peer.freeSpace === 0 ? peer : undefined;
    });
    expect(seen.nickname).toBe('bobby');
    const onDisk = JSON.parse(await readFile(join(bobNode.dir, CONFIG_FILE), 'utf8')) as { nickname: string; storage: { reservedSpace: number; enabled: boolean } };
    expect(onDisk.nickname).toBe('bobby');
    expect(onDisk.storage).toMatchObject({ enabled: true, reservedSpace: Number.MAX_SAFE_INTEGER });
    // and back: space is offered again
    expect((await patch(bob, { reservedSpace: 1_000_000 })).status).toBe(200);
    await waitFor('alice to see bob with free space', async () => {
      const peer = (await grid.status(aliceNode)).peers.find((p) => p.peerId === bobId);
      return peer !== undefined && (peer.freeSpace ?? 0) > 0 ? peer : undefined;
    });
  }, 60_000);
});

describe('GET /debug-log', () => {
  it('downloads the node\'s recent log, with no secret of the node in it', async () => {
    const response = await alice.call('GET', '/debug-log');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="cairn-debug-log-.*\.txt"$/);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const log = await response.text();
    expect(log).toContain('settings changed');
    const token = (await readFile(join(aliceNode.dir, 'private', 'api_auth_token'), 'utf8')).trim();
    const link = (await readFile(join(aliceNode.dir, 'private', 'introducer.link'), 'utf8')).trim();
    expect(log).not.toContain(token);
    expect(log).not.toContain(link);
    expect(log).not.toMatch(/URI:CHK:[a-z2-7]/);
  });
});
