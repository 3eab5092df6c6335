// Directories on the grid between real processes: five storage servers, each its own
// process, and two clients (two libp2p hosts). Encoding 3/4/5.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCap, readOnlyCapOf, type DirectoryCap } from '../src-shared/caps/index.js';
import { DirectoryEntryError } from '../src-main/core/dirnode/index.js';
import type { GridServer } from '../src-main/grid/grid-server.js';
import { uploadImmutable } from '../src-main/grid/uploader.js';
import {
  ChildExistsError,
  DirectoryPathError,
  NoSuchChildError,
  NotADirectoryError,
  ReadOnlyDirectoryError,
  createDirectory,
  createImmutableDirectory,
  linkChild,
  listDirectory,
  mkdirChild,
  moveChild,
  renameChild,
  resolvePath,
  unlinkChild,
  type VdriveOptions,
} from '../src-main/grid/vdrive/index.js';
import { startRemoteGrid, type RemoteGrid } from './support/remote-grid.js';

const encoding = { needed: 3, happy: 4, total: 5 };
let grid: RemoteGrid;
let alice: VdriveOptions;
let bob: VdriveOptions;
const convergenceSecret = new Uint8Array(randomBytes(32));

beforeAll(async () => {
  grid = await startRemoteGrid(5);
  const [a, b]: GridServer[][] = await Promise.all([grid.client(), grid.client()]);
  alice = { servers: a!, encoding, leaseSecret: new Uint8Array(randomBytes(32)), convergenceSecret, attempts: 12, backoffMs: 20 };
  bob = { servers: b!, encoding, leaseSecret: new Uint8Array(randomBytes(32)), convergenceSecret, attempts: 12, backoffMs: 20 };
}, 60_000);

afterAll(async () => {
  await grid?.stop();
});

async function upload(data: Uint8Array, options: VdriveOptions): Promise<string> {
  const { cap } = await uploadImmutable({ size: data.length, open: async function* () { yield data; } }, { ...options, convergenceSecret });
  return formatCap(cap);
}

const WRITE_CAP = /URI:(SSK-ED25519|DIR2-ED25519):/;

describe('mutable directories between processes', () => {
  let root: DirectoryCap;
  let fileCap: string;

  beforeAll(async () => {
    root = await createDirectory(alice);
    fileCap = await upload(new Uint8Array(randomBytes(10_000)), alice);
  });

  it('starts empty; links files and directories; lists them with and without write caps', async () => {
    expect(await listDirectory(root, bob)).toEqual([]);
    const docs = await mkdirChild(root, 'docs', alice);
    await linkChild(root, 'photo.jpg', fileCap, { ...alice, metadata: { size: 10_000, mtime: 1_700_000_000 } });
    await linkChild(root, 'tiny', await upload(new TextEncoder().encode('hi'), alice), bob);
    await linkChild(docs, 'Cafe\u0301.txt', fileCap, bob); // NFD: stored as NFC

    const asWriter = await listDirectory(root, bob);
    expect(asWriter.map((e) => e.name)).toEqual(['docs', 'photo.jpg', 'tiny']);
    const docsEntry = asWriter.find((e) => e.name === 'docs')!;
    expect(docsEntry).toMatchObject({ isDirectory: true, cap: formatCap(docs), writeCap: formatCap(docs), readCap: formatCap(readOnlyCapOf(docs)) });
    expect(asWriter.find((e) => e.name === 'photo.jpg')).toMatchObject({ cap: fileCap, isDirectory: false, metadata: { size: 10_000, mtime: 1_700_000_000 } });
    expect(asWriter.find((e) => e.name === 'photo.jpg')!.writeCap).toBeUndefined();
    expect((await listDirectory(docs, alice)).map((e) => e.name)).toEqual(['Caf\u00e9.txt']);

    const readOnly = readOnlyCapOf(root);
    const asReader = await listDirectory(readOnly, bob);
    expect(asReader.map((e) => e.name)).toEqual(['docs', 'photo.jpg', 'tiny']);
    expect(asReader.find((e) => e.name === 'docs')).toMatchObject({ cap: formatCap(readOnlyCapOf(docs)) });
    expect(JSON.stringify(asReader)).not.toMatch(WRITE_CAP);
    for (const entry of asReader) expect(entry.writeCap).toBeUndefined();
  });

  it('a read-only directory cap refuses every write with a clear error, and nothing changes', async () => {
    const readOnly = readOnlyCapOf(root);
    const before = await listDirectory(root, alice);
    const attempts: [string, () => Promise<unknown>][] = [
      ['link "x"', () => linkChild(readOnly, 'x', fileCap, bob)],
      ['unlink "tiny"', () => unlinkChild(readOnly, 'tiny', bob)],
      ['rename "tiny"', () => renameChild(readOnly, 'tiny', 'small', bob)],
      ['make directory "new"', () => mkdirChild(readOnly, 'new', bob)],
      ['move "tiny" out of the source directory', () => moveChild(readOnly, 'tiny', root, 'tiny2', bob)],
    ];
    for (const [what, attempt] of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReadOnlyDirectoryError);
      expect((error as Error).message).toBe(`cannot ${what}: this directory cap is read-only; changing a directory needs its write cap`);
    }
    expect(await listDirectory(root, alice)).toEqual(before);
  });

  it('renames, moves between directories, unlinks; clear errors for missing and existing names', async () => {
    const docs = (await resolvePath(root, 'docs', alice)).cap as DirectoryCap;
    await renameChild(root, 'tiny', 'small', alice);
    expect((await listDirectory(root, bob)).map((e) => e.name)).toEqual(['docs', 'photo.jpg', 'small']);
    await moveChild(root, 'photo.jpg', docs, 'photo-2020.jpg', bob);
    expect((await listDirectory(root, alice)).map((e) => e.name)).toEqual(['docs', 'small']);
    const moved = (await listDirectory(docs, alice)).find((e) => e.name === 'photo-2020.jpg')!;
    expect(moved).toMatchObject({ cap: fileCap, metadata: { size: 10_000, mtime: 1_700_000_000 } });

    await expect(renameChild(root, 'nothing', 'x', alice)).rejects.toThrow(new NoSuchChildError('nothing', 'no child named "nothing" in the directory'));
    await expect(linkChild(root, 'small', fileCap, { ...alice, overwrite: false })).rejects.toThrow(ChildExistsError);
    await expect(mkdirChild(root, 'docs', alice)).rejects.toThrow('the directory already has a child named "docs"');
    await expect(renameChild(root, 'small', 'docs', { ...alice, overwrite: false })).rejects.toThrow(ChildExistsError);
    const removed = await unlinkChild(root, 'small', bob);
    expect(removed.name).toBe('small');
    expect((await listDirectory(root, alice)).map((e) => e.name)).toEqual(['docs']);
    await expect(unlinkChild(root, 'small', bob)).rejects.toThrow(NoSuchChildError);
  });

  it('resolves paths from any directory cap, with clear errors', async () => {
    const found = await resolvePath(root, '/docs/photo-2020.jpg', bob);
    expect(formatCap(found.cap)).toBe(fileCap);
    expect(found.names).toEqual(['docs', 'photo-2020.jpg']);
    expect(found.metadata).toMatchObject({ size: 10_000 });
    expect(formatCap((await resolvePath(root, 'docs/', bob)).cap)).toMatch(/^URI:DIR2-ED25519:/);
    expect(formatCap((await resolvePath(readOnlyCapOf(root), 'docs', bob)).cap)).toMatch(/^URI:DIR2-ED25519-RO:/);
    expect((await resolvePath(root, '', bob)).cap).toBe(root);
    expect(formatCap((await resolvePath(root, 'docs/Cafe\u0301.txt', bob)).cap)).toBe(fileCap); // names are NFC-normalised

    await expect(resolvePath(root, 'docs/missing/x', bob)).rejects.toThrow(new NoSuchChildError('missing', 'no child named "missing" in "docs"'));
    await expect(resolvePath(root, 'nope', bob)).rejects.toThrow('no child named "nope" in the starting directory');
    await expect(resolvePath(root, 'docs/photo-2020.jpg/x', bob)).rejects.toThrow(
      new NotADirectoryError('"docs/photo-2020.jpg" is a file, not a directory: it has no child "x"'),
    );
    await expect(resolvePath(root, 'docs//photo-2020.jpg', bob)).rejects.toThrow(new DirectoryPathError('path "docs//photo-2020.jpg" has an empty name (two "/" in a row)'));
    await expect(resolvePath(root, 'docs/../docs', bob)).rejects.toThrow(new DirectoryPathError('a child cannot be named ".."'));
    await expect(linkChild(root, 'a/b', fileCap, alice)).rejects.toThrow(/child name "a\/b" must not contain "\/"/);
    await expect(linkChild(root, '\ud800', fileCap, alice)).rejects.toThrow(DirectoryPathError);
    await expect(linkChild(root, 'bad-cap', 'URI:CHK:nonsense', alice)).rejects.toThrow(/URI:CHK:/);
  });

  it('two clients linking at once keep each other’s entries', async () => {
    const shared = await createDirectory(alice);
    const link = async (options: VdriveOptions, who: string) => {
      for (let i = 0; i < 8; i++) await linkChild(shared, `${who}-${i}`, fileCap, options);
    };
    await Promise.all([link(alice, 'alice'), link(bob, 'bob')]);
    const names = (await listDirectory(shared, alice)).map((e) => e.name);
    expect(names).toHaveLength(16);
    expect(names.filter((n) => n.startsWith('alice-'))).toHaveLength(8);
  }, 120_000);
});

describe('immutable directories (backup snapshots)', () => {
  it('are CHK files that converge, LIT when tiny, list without write caps, and refuse writes and mutable children', async () => {
    const fileCap = await upload(new Uint8Array(randomBytes(5_000)), alice);
    const litCap = await upload(new TextEncoder().encode('small'), alice);
    const children = [
      { name: 'report.pdf', cap: fileCap, metadata: { size: 5_000 } },
      { name: 'note.txt', cap: litCap },
    ];
    const snapshot = await createImmutableDirectory(children, { ...alice, now: () => 1_700_000_000 });
    expect(formatCap(snapshot)).toMatch(/^URI:DIR2-CHK:/);
    const again = await createImmutableDirectory(children, { ...bob, now: () => 1_700_000_000 });
    expect(formatCap(again)).toBe(formatCap(snapshot));
    const listing = await listDirectory(snapshot, bob);
    expect(listing.map((e) => [e.name, e.cap])).toEqual([['note.txt', litCap], ['report.pdf', fileCap]]);
    expect(JSON.stringify(listing)).not.toMatch(WRITE_CAP);

    const nested = await createImmutableDirectory([{ name: 'snap', cap: formatCap(snapshot) }], alice);
    expect(formatCap((await resolvePath(nested, 'snap/report.pdf', bob)).cap)).toBe(fileCap);
    const empty = await createImmutableDirectory([], alice);
    expect(formatCap(empty)).toBe('URI:DIR2-LIT:');
    expect(await listDirectory(empty, bob)).toEqual([]);

    await expect(linkChild(snapshot, 'x', fileCap, alice)).rejects.toThrow(
      new ReadOnlyDirectoryError('cannot link "x": this directory cap is of an immutable directory; changing a directory needs its write cap'),
    );
    const mutable = await createDirectory(alice);
    await expect(createImmutableDirectory([{ name: 'live', cap: formatCap(mutable) }], alice)).rejects.toThrow(DirectoryEntryError);
  });
});
