import { appendFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupDatabase, databaseId } from '../src-main/backup/backup-database.js';

let dir: string;
const record = { size: 10, mtimeMs: 1614834367891.25, ino: 42 };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-backup-db-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the backup database', () => {
  it('knows a file only while its size, mtime and inode are the same', async () => {
    const db = await BackupDatabase.open(dir, 'x');
    expect(db.unchanged('a.txt', record)).toBeUndefined();
    await db.uploaded('a.txt', { ...record, cap: 'URI:LIT:ab' });
    await db.commit();
    const again = await BackupDatabase.open(dir, 'x');
    expect(again.unchanged('a.txt', record)).toBe('URI:LIT:ab');
    expect(again.unchanged('a.txt', { ...record, size: 11 })).toBeUndefined();
    expect(again.unchanged('a.txt', { ...record, mtimeMs: record.mtimeMs + 0.001 })).toBeUndefined();
    expect(again.unchanged('a.txt', { ...record, ino: 43 })).toBeUndefined();
  });

  it('keeps files recorded by a run that never finished (the journal), ignoring a torn last line', async () => {
    const db = await BackupDatabase.open(dir, 'x');
    await db.uploaded('a.txt', { ...record, cap: 'URI:LIT:ab' });
    await appendFile(join(dir, 'x.journal'), '{"path": "b.txt", "size"'); // killed mid-write
    const reopened = await BackupDatabase.open(dir, 'x');
    expect(reopened.unchanged('a.txt', record)).toBe('URI:LIT:ab');
    expect(reopened.unchanged('b.txt', record)).toBeUndefined();
  });

  it('a completed run keeps only what it saw, writes no temporary file and empties the journal', async () => {
    const db = await BackupDatabase.open(dir, 'x');
    await db.uploaded('gone.txt', { ...record, cap: 'URI:LIT:ab' });
    await db.uploaded('kept.txt', { ...record, cap: 'URI:LIT:cd' });
    await db.commit();
    const second = await BackupDatabase.open(dir, 'x');
    expect(second.unchanged('kept.txt', record)).toBe('URI:LIT:cd');
    await second.commit();
    expect(await readdir(dir)).toEqual(['x.json']);
    const third = await BackupDatabase.open(dir, 'x');
    expect(third.unchanged('gone.txt', record)).toBeUndefined();
    expect(third.unchanged('kept.txt', record)).toBe('URI:LIT:cd');
  });

  it('its name is a hash: the target cap never appears in a file name or the file', async () => {
    const id = databaseId('/home/me', 'URI:DIR2-ED25519:secretsecret/backups');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const db = await BackupDatabase.open(dir, id);
    await db.commit();
    expect(await readFile(join(dir, `${id}.json`), 'utf8')).not.toMatch(/secret/);
  });
});
