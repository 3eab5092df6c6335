// Directories and mutable files through the web API of real `cairn run` processes: an
// introducer and three storage nodes (four servers), encoding 2/3/4.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { rootCapOf, uriPath, webApiOf, type WebApi } from './support/web-api.js';
import { sameBytes } from './support/chk.js';

let grid: GridHarness;
let alice: WebApi;
let bob: WebApi;
let aliceNode: NodeProcess;
let bobNode: NodeProcess;

type NodeJson = [string, { rw_uri?: string; ro_uri?: string; verify_uri?: string; mutable?: boolean; size?: number; children?: Record<string, NodeJson> }];

async function text(response: Response, status: number): Promise<string> {
  const body = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${body}`);
  return body;
}

async function json(api: WebApi, path: string): Promise<NodeJson> {
  return JSON.parse(await text(await api.call('GET', `${path}?t=json`), 200)) as NodeJson;
}

async function errorOf(response: Response, status: number): Promise<string> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return (JSON.parse(body) as { error: string }).error;
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

describe('the shared root directory through the web API', () => {
  it('reads as empty before its first write; one member writes, another lists', async () => {
    const root = await rootCapOf(aliceNode);
    expect(await rootCapOf(bobNode)).toBe(root);
    const before = await json(bob, uriPath(root));
    expect(before[0]).toBe('dirnode');
    expect(before[1].children).toEqual({});
    expect(await errorOf(await bob.call('GET', uriPath(root, 'nothing')), 404)).toMatch(/no child named "nothing"/);

    const data = randomBytes(5000);
    const cap = await text(await alice.call('PUT', uriPath(root, 'hello.bin'), { body: data }), 200);
    expect(cap).toMatch(/^URI:CHK:/);
    const after = await json(bob, uriPath(root));
    expect(Object.keys(after[1].children!)).toEqual(['hello.bin']);
    expect(after[1].children!['hello.bin']).toEqual(['filenode', expect.objectContaining({ ro_uri: cap, size: 5000, mutable: false })]);
    const back = new Uint8Array(await (await bob.call('GET', uriPath(root, 'hello.bin'))).arrayBuffer());
    expect(sameBytes(back, data)).toBe('same');
  }, 60_000);
});

describe('directories through the web API', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await text(await alice.call('POST', '/uri?t=mkdir'), 200);
  });

  it('mkdir, put, ls, get (with a range), rename, move and delete round trip', async () => {
    expect(dir).toMatch(/^URI:DIR2-ED25519:/);
    const sub = await text(await alice.call('POST', `${uriPath(dir)}?t=mkdir&name=photos`), 200);
    expect(sub).toMatch(/^URI:DIR2-ED25519:/);
    const data = randomBytes(200_000);
    const fileCap = await text(await alice.call('PUT', uriPath(dir, 'photos', 'beach.jpg'), { body: data }), 200);
    const small = await text(await alice.call('PUT', uriPath(dir, 'note.txt'), { body: 'hi' }), 200);
    expect(small).toMatch(/^URI:LIT:/);

    const listing = await json(bob, uriPath(dir));
    expect(listing[1]).toMatchObject({ rw_uri: dir, mutable: true });
    expect(listing[1].ro_uri).toMatch(/^URI:DIR2-ED25519-RO:/);
    expect(Object.keys(listing[1].children!)).toEqual(['note.txt', 'photos']);
    expect(listing[1].children!.photos).toEqual(['dirnode', expect.objectContaining({ rw_uri: sub, mutable: true })]);
    expect((await json(bob, uriPath(dir, 'photos')))[1].children!['beach.jpg']![1]).toMatchObject({ ro_uri: fileCap, size: data.length });

    const range = await bob.call('GET', uriPath(dir, 'photos', 'beach.jpg'), { headers: { range: 'bytes=131000-131099' } });
    expect(range.status).toBe(206);
    expect(sameBytes(new Uint8Array(await range.arrayBuffer()), data.subarray(131000, 131100))).toBe('same');

    await text(await bob.call('POST', `${uriPath(dir)}?t=rename&from_name=note.txt&to_name=${encodeURIComponent('nötë.txt')}`), 200);
    await text(await bob.call('POST', `${uriPath(dir, 'photos')}?t=rename&from_name=beach.jpg&to_dir=${encodeURIComponent(dir)}&to_name=moved.jpg`), 200);
    const moved = await json(alice, uriPath(dir));
    expect(Object.keys(moved[1].children!).sort()).toEqual(['moved.jpg', 'nötë.txt', 'photos']);
    expect((await json(alice, uriPath(dir, 'photos')))[1].children).toEqual({});
    expect(await (await alice.call('GET', uriPath(dir, 'nötë.txt'))).text()).toBe('hi');

    await text(await alice.call('DELETE', uriPath(dir, 'moved.jpg')), 200);
    expect(Object.keys((await json(bob, uriPath(dir)))[1].children!).sort()).toEqual(['nötë.txt', 'photos']);
    // The file itself stays on the grid.
    expect(sameBytes(new Uint8Array(await (await bob.call('GET', uriPath(fileCap))).arrayBuffer()), data)).toBe('same');
  }, 60_000);

  it('two members linking into one directory at once keep each other\'s entries (links retry internally)', async () => {
    const shared = await text(await alice.call('POST', '/uri?t=mkdir'), 200);
    const names = Array.from({ length: 6 }, (_, i) => `file-${i}`);
    await Promise.all(names.map((name, i) => (i % 2 === 0 ? alice : bob).call('PUT', uriPath(shared, name), { body: `contents of ${name}` }).then((r) => text(r, 200))));
    expect(Object.keys((await json(bob, uriPath(shared)))[1].children!).sort()).toEqual(names);
  }, 60_000);

  it('a read-only directory cap lists, refuses writes clearly, and its JSON holds no write cap', async () => {
    const readonly = (await json(alice, uriPath(dir)))[1].ro_uri!;
    const before = await text(await bob.call('GET', `${uriPath(readonly)}?t=json`), 200);
    expect(before).not.toMatch(/URI:(DIR2-ED25519|SSK-ED25519):/);
    expect(before).not.toContain('rw_uri');
    expect(Object.keys((JSON.parse(before) as NodeJson)[1].children!).sort()).toEqual(['nötë.txt', 'photos']);
    const writes: Array<[string, string, string | undefined]> = [
      ['PUT', uriPath(readonly, 'new.txt'), 'data'],
      ['POST', `${uriPath(readonly)}?t=mkdir&name=new`, undefined],
      ['DELETE', uriPath(readonly, 'nötë.txt'), undefined],
      ['POST', `${uriPath(readonly)}?t=rename&from_name=photos&to_name=pics`, undefined],
      ['PUT', uriPath(readonly, 'photos', 'x'), 'data'], // a child reached through a read-only cap is read-only too
    ];
    for (const [method, path, body] of writes) {
      expect(await errorOf(await bob.call(method, path, body === undefined ? {} : { body }), 403), `${method} ${path}`).toMatch(/read-only|write cap/);
    }
    expect(await text(await bob.call('GET', `${uriPath(readonly)}?t=json`), 200)).toBe(before);
  }, 60_000);

  it('bad input gets a clear status and message, and changes nothing', async () => {
    const before = await text(await alice.call('GET', `${uriPath(dir)}?t=json`), 200);
    const cases: Array<[string, string, number, RegExp, string?]> = [
      ['PUT', `${uriPath(dir)}/a%2Fb`, 400, /must not contain "\/"/, 'x'],
      ['PUT', `${uriPath(dir)}/bad%FF`, 400, /not valid percent-encoded UTF-8/, 'x'],
      ['GET', uriPath(dir, 'missing'), 404, /no child named "missing"/],
      ['PUT', uriPath(dir, 'missing', 'file'), 404, /no child named "missing"/, 'x'],
      ['GET', uriPath(dir, 'nötë.txt', 'below'), 400, /is a file, not a directory/],
      ['GET', '/uri/URI:DIR2-ED25519:short', 400, /./],
      ['GET', '/uri/nonsense', 400, /cap must start with "URI:"/],
      ['POST', `${uriPath(dir)}?t=mkdir&name=photos`, 409, /already has a child named "photos"/],
      ['PUT', `${uriPath(dir, 'photos')}?replace=false`, 409, /already has a child named "photos"/, 'x'],
      ['POST', `${uriPath(dir)}?t=rename&from_name=ghost&to_name=x`, 404, /no child named "ghost"/],
      ['POST', `${uriPath(dir)}?t=rename&from_name=photos&to_name=a/b`, 400, /without "\/"/],
      ['PUT', uriPath(dir), 400, /needs a child path/, 'x'],
      // (a ".." in the URL path itself is resolved away by every HTTP client)
      ['POST', `${uriPath(dir)}?t=rename&from_name=photos&to_name=..`, 400, /cannot be named ".."/],
    ];
    for (const [method, path, status, message, body] of cases) {
      expect(await errorOf(await alice.call(method, path, body === undefined ? {} : { body }), status), `${method} ${path}`).toMatch(message);
    }
    expect(await text(await alice.call('GET', `${uriPath(dir)}?t=json`), 200)).toBe(before);
  }, 60_000);
});

describe('mutable files through the web API', () => {
  it('creates, reads with an ETag, and overwrites; a stale If-Match gets 409', async () => {
    const cap = await text(await alice.call('PUT', '/uri?format=mutable', { body: 'v1' }), 200);
    expect(cap).toMatch(/^URI:SSK-ED25519:/);
    const [a, b] = await Promise.all([alice.call('GET', uriPath(cap)), bob.call('GET', uriPath(cap))]);
    const etag = a.headers.get('etag')!;
    expect(etag).toMatch(/^"[a-z2-7]+"$/);
    expect(b.headers.get('etag')).toBe(etag);
    expect([await a.text(), await b.text()]).toEqual(['v1', 'v1']);
    // Both read v1; Alice writes first, so Bob's write based on v1 is refused.
    await text(await alice.call('PUT', uriPath(cap), { body: 'v2 from alice', headers: { 'if-match': etag } }), 200);
    expect(await errorOf(await bob.call('PUT', uriPath(cap), { body: 'v2 from bob', headers: { 'if-match': etag } }), 409)).toMatch(/changed by someone else.*read it again/);
    expect(await (await bob.call('GET', uriPath(cap))).text()).toBe('v2 from alice');
    // Without If-Match the last writer wins.
    await text(await bob.call('PUT', uriPath(cap), { body: 'v3' }), 200);
    expect(await (await alice.call('GET', uriPath(cap))).text()).toBe('v3');

    const readonly = (await json(alice, uriPath(cap)))[1].ro_uri!;
    expect(readonly).toMatch(/^URI:SSK-ED25519-RO:/);
    expect(await errorOf(await bob.call('PUT', uriPath(readonly), { body: 'nope' }), 403)).toMatch(/read-only/);
    expect(await (await bob.call('GET', uriPath(readonly))).text()).toBe('v3');
  }, 60_000);

  it('two writers appending at once with read / If-Match / retry on 409 lose nothing', async () => {
    const cap = await text(await alice.call('PUT', '/uri?format=mutable', { body: '' }), 200);
    let conflicts = 0;
    const append = async (api: WebApi, line: string): Promise<void> => {
      for (;;) {
        const current = await api.call('GET', uriPath(cap));
        const etag = current.headers.get('etag')!;
        const contents = await current.text();
        // a write that got 409 can still have landed (the 409 says so): redo it only if absent
        if (contents.split('\n').includes(line)) return;
        const put = await api.call('PUT', uriPath(cap), { body: `${contents}${line}\n`, headers: { 'if-match': etag } });
        if (put.status === 200) return void (await put.text());
        expect(await errorOf(put, 409)).toMatch(/changed by someone else.*can still have landed/);
        conflicts++;
      }
    };
    const writer = async (api: WebApi, name: string) => {
      for (let i = 0; i < 8; i++) await append(api, `${name} ${i}`);
    };
    await Promise.all([writer(alice, 'alice'), writer(bob, 'bob')]);
    const lines = (await (await alice.call('GET', uriPath(cap))).text()).trim().split('\n');
    expect(lines, `${conflicts} conflicts`).toHaveLength(16);
    expect(lines.sort()).toEqual([...Array.from({ length: 8 }, (_, i) => `alice ${i}`), ...Array.from({ length: 8 }, (_, i) => `bob ${i}`)].sort());
    // Each write landed exactly once, however many of the ${conflicts} conflicts it went through.
  }, 120_000);
});

describe('mkdir-with-children', () => {
  it('makes a directory holding the given children in one request; bad bodies change nothing', async () => {
    const file = await text(await alice.call('PUT', '/uri', { body: randomBytes(3000) }), 200);
    const sub = await text(await alice.call('POST', '/uri?t=mkdir'), 200);
    const children = {
      'a file': ['filenode', { ro_uri: file, metadata: { mtime: 1700000000 } }],
      'ünïcode dir': ['dirnode', { rw_uri: sub }],
    };
    const dir = await text(await alice.call('POST', '/uri?t=mkdir-with-children', { body: JSON.stringify(children) }), 200);
    expect(dir).toMatch(/^URI:DIR2-ED25519:/);
    const listing = await json(bob, uriPath(dir));
    expect(Object.keys(listing[1].children!).sort()).toEqual(['a file', 'ünïcode dir']);
    expect(listing[1].children!['a file']![1]).toMatchObject({ ro_uri: file, size: 3000 });
    expect(listing[1].children!['ünïcode dir']![1].rw_uri).toBe(sub);

    expect(await errorOf(await alice.call('POST', '/uri?t=mkdir-with-children', { body: 'not json' }), 400)).toMatch(/JSON object/);
    expect(await errorOf(await alice.call('POST', '/uri?t=mkdir-with-children', { body: JSON.stringify({ x: ['filenode', {}] }) }), 400)).toMatch(/child "x"/);
    expect(await errorOf(await alice.call('POST', '/uri?t=mkdir-with-children', { body: JSON.stringify({ 'a/b': ['filenode', { ro_uri: file }] }) }), 400)).toMatch(/\//);
  }, 60_000);
});
