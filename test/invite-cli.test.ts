// `cairn invite` and `cairn join` against real `cairn run` processes: an introducer and two
// storage nodes (encoding 1/2/3); a friend joins with an invite from one of the members and
// then sees the grid's servers and the shared "cairn:" root.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairn, type CliResult } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';

let grid: GridHarness;
let member: NodeProcess;

beforeAll(async () => {
  grid = await GridHarness.create(2, { needed: 1, happy: 2, total: 3 });
  await grid.startAll();
  member = grid.storageNodes[0]!;
  await grid.waitForServers(member, 3, cairn);
}, 60_000);

afterAll(async () => {
  await grid?.destroy();
});

async function on(node: NodeProcess, ...args: string[]): Promise<string> {
  const result = await cairn([...args, '--node-dir', node.dir]);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

function expectOneLineError(result: CliResult, message: string | RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
}

/** The code and passphrase lines of `cairn invite`'s output. */
function parseInvite(stdout: string): { code: string; passphrase: string } {
  const lines = stdout.split('\n');
  const code = lines[lines.indexOf('Invite code (send it to your friend):') + 1]!;
  const passphrase = lines[lines.indexOf('Passphrase (tell it separately, not in the same message):') + 1]!;
  return { code, passphrase };
}

describe('cairn invite and cairn join', () => {
  it('a friend joins with an invite from a member and sees the grid and the shared root', async () => {
    const data = randomBytes(5_000);
    await writeFile(join(grid.root, 'hello.bin'), data);
    await on(member, 'put', join(grid.root, 'hello.bin'), 'cairn:hello.bin');

    const invited = await cairn(['invite', '-d', member.dir]);
    expect(invited.code, invited.stderr).toBe(0);
    const { code, passphrase } = parseInvite(invited.stdout);
    expect(code).toMatch(/^cairn-invite-v1:[a-z2-7]+$/);
    expect(passphrase).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    // the code seals the link: neither the link nor the grid key shows in the output
    const link = (await readFile(join(member.dir, 'private', 'introducer.link'), 'utf8')).trim();
    expect(invited.stdout).not.toContain(link.slice('cairn-grid-v1:'.length, 40));

    const friendDir = join(grid.root, 'friend');
    const joined = await cairn(['join', code, friendDir, '--passphrase', passphrase.toUpperCase(), '--listen', '/ip4/127.0.0.1/tcp/0', '--nickname', 'friend', '--reserved-space', '0']);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toMatch(/^Created node "friend" in .*friend, a member of the grid/);
    expect((await readFile(join(friendDir, 'private', 'introducer.link'), 'utf8')).trim()).toBe(link);

    const friend: NodeProcess = { dir: friendDir, name: 'friend', child: undefined, stderr: '' };
    grid.nodes.push(friend);
    await grid.start(friend);
    // the introducer and both members store, and so does the friend
    await grid.waitForServers(friend, 4, cairn);
    expect((await on(friend, 'ls', 'cairn:')).split('\n')).toContain('hello.bin');
    await on(friend, 'get', 'cairn:hello.bin', join(grid.root, 'hello.out'));
    expect((await readFile(join(grid.root, 'hello.out'))).equals(data)).toBe(true);
  });

  it('a wrong passphrase or a damaged code creates nothing and says why in one line', async () => {
    const { code, passphrase } = parseInvite((await cairn(['invite', '--node-dir', member.dir])).stdout);
    const dir = join(grid.root, 'not-joined');
    const wrong = passphrase.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    expectOneLineError(await cairn(['join', code, dir, '--passphrase', wrong]), 'cairn: the passphrase does not open this invite code (wrong passphrase?)');
    expect(existsSync(dir)).toBe(false);
    const damaged = code.slice(0, -4) + (code.endsWith('aaaa') ? 'bbbb' : 'aaaa');
    expectOneLineError(await cairn(['join', damaged, dir, '--passphrase', passphrase]), /^cairn: the invite code is damaged .*copy it again in full\n$/);
    expectOneLineError(await cairn(['join', 'hello', dir, '--passphrase', passphrase]), 'cairn: an invite code starts with "cairn-invite-v1:"');
    expect(existsSync(dir)).toBe(false);
  });

  it('join without --passphrase and without a terminal is a usage error; invite needs a node', async () => {
    const { code } = parseInvite((await cairn(['invite', '--node-dir', member.dir])).stdout);
    const noPassphrase = await cairn(['join', code, join(grid.root, 'x')]);
    expect(noPassphrase.code).toBe(2);
    expect(noPassphrase.stderr).toMatch(/^cairn: --passphrase is required when the input is not a terminal\n/);
    expectOneLineError(await cairn(['invite', '-d', join(grid.root, 'nowhere')]), /is not a Cairn node directory/);
  });
});

describe('POST /invite on a running node', () => {
  it('answers a fresh code and passphrase that open to the grid link, only with the API token', async () => {
    const { openInvite } = await import('../src-shared/invite/invite-code.js');
    const config = JSON.parse(await readFile(join(member.dir, 'cairn.json'), 'utf8')) as { web: { port: number } };
    const token = (await readFile(join(member.dir, 'private', 'api_auth_token'), 'utf8')).trim();
    const url = `http://127.0.0.1:${config.web.port}/invite`;
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const invite = (await response.json()) as { code: string; passphrase: string };
    const link = (await readFile(join(member.dir, 'private', 'introducer.link'), 'utf8')).trim();
    expect(await openInvite(invite.code, invite.passphrase)).toBe(link);
    expect((await fetch(url, { method: 'POST' })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    // the node's log never shows the code
    const log = await readFile(join(member.dir, 'logs', 'cairn.log'), 'utf8');
    expect(log).not.toContain(invite.code.slice(16, 60));
  });
});
