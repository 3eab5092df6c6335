// The app's first run, in-process with real nodes on 127.0.0.1: one app creates a grid (its
// node becomes the introducer and a storage server), a second joins with an invite code.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppNode, type SetupState } from '../src-main/node/app-node.js';
import { gridRootCap } from '../src-main/node/grid-root.js';

let root: string;
const apps: AppNode[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-app-node-'));
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await rm(root, { recursive: true, force: true });
});

async function open(name: string, states: SetupState[] = []): Promise<AppNode> {
  const app = await AppNode.open(join(root, name), { fastTimers: true, logToStderr: false, onStateChange: (s) => states.push(s) });
  apps.push(app);
  return app;
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('first run: create a grid, join it by invite', () => {
  let alice: AppNode;
  let bob: AppNode;

  it('an empty data folder needs setup; creating a grid makes the node its introducer and a storage server', async () => {
    const states: SetupState[] = [];
    alice = await open('alice', states);
    expect(alice.state).toBe('needs-setup');
    expect(alice.service).toBeUndefined();
    await expect(alice.invite()).rejects.toThrow('there is no grid to invite to yet: create or join one first');
    await expect(alice.createGrid({ nickname: '  ' })).rejects.toThrow('a nickname must be 1 to 64 characters');
    expect(alice.state).toBe('needs-setup');
    expect(existsSync(alice.nodeDir)).toBe(false);

    await alice.createGrid({ nickname: 'alice', gridName: 'friends', listen: '/ip4/127.0.0.1/tcp/0', encoding: { needed: 1, happy: 2, total: 2 } });
    expect(states).toEqual(['starting', 'running']);
    const status = await alice.service!.status();
    expect(status.introducer).toEqual({ connected: true, runsHere: true });
    expect(status.storage?.enabled).toBe(true);
    await expect(alice.createGrid({ nickname: 'alice' })).rejects.toThrow('this app already has a node');
  });

  it('a wrong passphrase leaves the second app as it was', async () => {
    const invite = await alice.invite();
    bob = await open('bob');
    const wrong = invite.passphrase.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    await expect(bob.joinGrid({ code: invite.code, passphrase: wrong, nickname: 'bob' })).rejects.toThrow('wrong passphrase?');
    expect(bob.state).toBe('needs-setup');
    expect(existsSync(bob.nodeDir)).toBe(false);
  });

  it('the second app joins by invite, sees both servers and shares the grid root', async () => {
    const invite = await alice.invite();
    await bob.joinGrid({ code: invite.code, passphrase: invite.passphrase, nickname: 'bob', listen: '/ip4/127.0.0.1/tcp/0', reservedSpace: 0 });
    expect(bob.state).toBe('running');
    const service = bob.service!;
    expect(service.node.gridLink.gridName).toBe('friends');
    await waitFor('bob to see 2 servers', async () => (await service.status()).peers.filter((p) => p.connected).length === 2);
    const rootCap = gridRootCap(service.node.gridLink);
    await service.makeDirectory(rootCap, 'photos');
    await waitFor('alice to see the new folder', async () => (await alice.service!.listDirectory(rootCap)).some((e) => e.name === 'photos'));
  });

  it('after a restart the data folder opens straight into the running node', async () => {
    await bob.stop();
    expect(bob.state).toBe('stopped');
    const again = await open('bob');
    expect(again.state).toBe('running');
    expect((await again.service!.status()).nickname).toBe('bob');
    expect(await readdir(join(root, 'bob'))).toEqual(['node']);
  });
});
