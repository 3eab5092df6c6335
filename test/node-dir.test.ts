import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatGridLink, parseGridLink, parseShareEncoding } from '../src-main/node/grid-link.js';
import { loadNodeDirectory } from '../src-main/node/node-dir.js';
import { parseSize } from '../src-main/node/sizes.js';
import { cairn } from './support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-nodedir-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sizes, encodings and introducer links', () => {
  it('parses sizes', () => {
    expect(parseSize('0')).toBe(0);
    expect(parseSize('1500')).toBe(1500);
    expect(parseSize('500M')).toBe(500_000_000);
    expect(parseSize('1G')).toBe(1_000_000_000);
    expect(parseSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseSize('20 kB')).toBe(20_000);
    expect(() => parseSize('lots')).toThrow(/not a size/);
    expect(() => parseSize('5i')).toThrow(/not a size/);
  });

  it('parses K/HAPPY/N and refuses impossible ones', () => {
    expect(parseShareEncoding('3/5/10')).toEqual({ needed: 3, happy: 5, total: 10 });
    expect(() => parseShareEncoding('5/3/10')).toThrow(/1 ≤ K ≤ HAPPY ≤ N ≤ 256 \(got 5\/3\/10\)/);
    expect(() => parseShareEncoding('3/5/300')).toThrow(/≤ 256/);
    expect(() => parseShareEncoding('3-5-10')).toThrow(/not K\/HAPPY\/N/);
  });

  it('round-trips a link and never echoes its secret in errors', () => {
    const link = { introducerPeerId: '12D3KooWabc', introducerAddresses: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWabc'], gridKey: new Uint8Array(32).fill(7), encoding: { needed: 2, happy: 3, total: 4 }, rootSeed: new Uint8Array(32).fill(9), gridName: 'friends' };
    const text = formatGridLink(link);
    expect(text).toMatch(/^cairn-grid-v1:[a-z2-7]+$/);
    expect(parseGridLink(text)).toEqual(link);
    const damaged = text.slice(0, -5);
    let message = '';
    try {
      parseGridLink(damaged);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/damaged/);
    expect(message).not.toContain(text.slice(14, 30));
    expect(() => parseGridLink('pb://nope')).toThrow(/starts with "cairn-grid-v1:"/);
  });
});

describe('cairn create-introducer and create-node', () => {
  it('creates a grid: config, private files with mode 0600, a link that names the introducer', async () => {
    const intro = join(dir, 'intro');
    const result = await cairn(['create-introducer', intro, '--listen', '/ip4/127.0.0.1/tcp/0', '--nickname', 'alice', '--shares', '2/3/4']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('introducer.link');
    const node = await loadNodeDirectory(intro);
    expect(node.config.introducer).toBe(true);
    expect(node.config.nickname).toBe('alice');
    expect(node.config.listen[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/[1-9][0-9]*$/);
    expect(node.gridLink.encoding).toEqual({ needed: 2, happy: 3, total: 4 });
    expect(node.gridLink.introducerAddresses[0]).toBe(`${node.config.listen[0]}/p2p/${node.gridLink.introducerPeerId}`);
    expect((await stat(join(intro, 'private'))).mode & 0o777).toBe(0o700);
    for (const name of ['node.key', 'introducer.link', 'api_auth_token', 'convergence', 'secret', 'aliases']) {
      expect((await stat(join(intro, 'private', name))).mode & 0o777).toBe(0o600);
    }
    // The secret link is not printed.
    expect(result.stdout).not.toContain(await readFile(join(intro, 'private', 'introducer.link'), 'utf8'));
  });

  it('creates a node from the link (string or file), with its options', async () => {
    const linkFile = join(dir, 'intro', 'private', 'introducer.link');
    const link = (await readFile(linkFile, 'utf8')).trim();
    const a = await cairn(['create-node', join(dir, 'a'), '--introducer', linkFile, '--nickname', 'bob', '--reserved-space', '2G', '--web-port', '38123']);
    expect(a.code).toBe(0);
    const nodeA = await loadNodeDirectory(join(dir, 'a'));
    expect(nodeA.config).toMatchObject({ nickname: 'bob', introducer: false, storage: { enabled: true, reservedSpace: 2_000_000_000 }, web: { port: 38123 } });
    expect(nodeA.gridLink.gridKey).toEqual((await loadNodeDirectory(join(dir, 'intro'))).gridLink.gridKey);
    const b = await cairn(['create-node', join(dir, 'b'), '--introducer', link, '--no-storage', '--listen', '/ip4/127.0.0.1/tcp/0']);
    expect(b.code).toBe(0);
    const nodeB = await loadNodeDirectory(join(dir, 'b'));
    expect(nodeB.config.storage.enabled).toBe(false);
    expect(nodeB.nodeKey.publicKey.toString()).not.toBe(nodeA.nodeKey.publicKey.toString());
  });

  it('refuses bad input with one clear line and touches nothing', async () => {
    const existing = await cairn(['create-node', join(dir, 'a'), '--introducer', join(dir, 'intro', 'private', 'introducer.link')]);
    expect(existing.code).toBe(1);
    expect(existing.stderr).toMatch(/already exists and is not empty/);
    const badLink = await cairn(['create-node', join(dir, 'c'), '--introducer', 'nonsense']);
    expect(badLink.code).toBe(2);
    expect(badLink.stderr).toMatch(/--introducer must be an introducer link/);
    const badListen = await cairn(['create-introducer', join(dir, 'd'), '--listen', 'localhost:4001']);
    expect(badListen.stderr).toMatch(/not a TCP listen address/);
    const badShares = await cairn(['create-introducer', join(dir, 'e'), '--listen', '/ip4/127.0.0.1/tcp/0', '--shares', '4/3/10']);
    expect(badShares.stderr).toMatch(/1 ≤ K ≤ HAPPY ≤ N/);
    const badSize = await cairn(['create-node', join(dir, 'f'), '--introducer', join(dir, 'intro', 'private', 'introducer.link'), '--reserved-space', 'huge']);
    expect(badSize.stderr).toMatch(/--reserved-space: "huge" is not a size/);
  });

  it('a damaged config is reported precisely', async () => {
    await writeFile(join(dir, 'a', 'cairn.json'), '{"version": 1, "nickname": "x", "listen": ["nope"]}');
    await expect(loadNodeDirectory(join(dir, 'a'))).rejects.toThrow(/"listen": "nope" is not a TCP listen address/);
    await expect(loadNodeDirectory(join(dir, 'nothing-here'))).rejects.toThrow(/is not a Cairn node directory: cannot read cairn.json \(ENOENT\)/);
  });
});

describe('aliases', () => {
  const intro = () => join(dir, 'intro');

  it('every member of a grid gets the same default alias "cairn:" for the shared root directory', async () => {
    const introAliases = await cairn(['list-aliases', '--node-dir', intro()]);
    expect(introAliases.code).toBe(0);
    const line = introAliases.stdout.trim();
    expect(line).toMatch(/^cairn: URI:DIR2-ED25519:[a-z2-7]+:[a-z2-7]+$/);
    const member = await cairn(['list-aliases', '--node-dir', join(dir, 'a')]);
    expect(member.stdout.trim()).toBe(line);
    const readonly = await cairn(['list-aliases', '--node-dir', intro(), '--readonly-uri']);
    expect(readonly.stdout.trim()).toMatch(/^cairn: URI:DIR2-ED25519-RO:/);
    const json = JSON.parse((await cairn(['list-aliases', '--node-dir', intro(), '--json'])).stdout) as Record<string, { readwrite: string; readonly: string }>;
    expect(json.cairn?.readwrite).toBe(line.slice('cairn: '.length));
    expect(json.cairn?.readonly).toBe(readonly.stdout.trim().slice('cairn: '.length));
  });

  it('add-alias stores a directory cap under a new name', async () => {
    const readOnly = (await cairn(['list-aliases', '--node-dir', intro(), '--readonly-uri'])).stdout.trim().slice('cairn: '.length);
    const added = await cairn(['add-alias', '--node-dir', intro(), 'photos', readOnly]);
    expect(added.code).toBe(0);
    expect((await cairn(['list-aliases', '--node-dir', intro()])).stdout).toContain('photos: URI:DIR2-ED25519-RO:');
  });

  it('refuses bad names, file caps, malformed caps and duplicates, and changes nothing', async () => {
    const before = await readFile(join(intro(), 'private', 'aliases'), 'utf8');
    const rootCap = before.split('\n')[0]!.slice('cairn: '.length);
    const cases: Array<[string[], RegExp]> = [
      [['bad/name', rootCap], /not a usable alias name/],
      [['URI', rootCap], /cannot be an alias/],
      [['files', 'URI:LIT:nbswy3dp'], /must name a directory cap/],
      [['broken', 'URI:DIR2-ED25519:abc'], /the cap/],
      [['cairn', rootCap], /exists already/],
    ];
    for (const [args, message] of cases) {
      const result = await cairn(['add-alias', '--node-dir', intro(), ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await readFile(join(intro(), 'private', 'aliases'), 'utf8')).toBe(before);
  });
});

describe('log redaction', () => {
  it('hides caps, introducer links and registered secrets', async () => {
    const { redact } = await import('../src-main/node/node-log.js');
    expect(redact('got URI:CHK:abcdefghijklmnopqrstuvwxyz:x:3:10:100 ok')).toBe('got URI:CHK:[redacted] ok');
    expect(redact('"URI:LIT:nbswy3dp"')).toBe('"URI:LIT:[redacted]"');
    expect(redact('link cairn-grid-v1:mfrgg43u')).toBe('link cairn-grid-v1:[redacted]');
    expect(redact('token abcdefgh12345678 here', ['abcdefgh12345678'])).toBe('token [secret] here');
  });
});
