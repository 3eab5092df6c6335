// The local backup database: for each file backed up from one source folder to one target,
// its size, mtime and inode when it was uploaded, and the cap it got. A file that still
// matches is not read or uploaded again.
//
// On disk (NODEDIR/private/backups/<id>.json and <id>.journal): the JSON file is the state
// at the end of the last complete run, written atomically (temporary file, fsync, rename);
// the journal gets one JSON line per file as its upload finishes, so a run that is killed
// keeps what it uploaded and the next run does not upload it again. A torn last line (a
// kill mid-write) is ignored.
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileRecord {
  readonly size: number;
  /** ms since the epoch, as stat gives it (with its fraction) */
  readonly mtimeMs: number;
  readonly ino: number;
  readonly cap: string;
}

/** A snapshot folder as built: a hash of its entries (names, caps, metadata) and the cap it got. */
export interface DirectoryRecord {
  readonly entries: string;
  readonly cap: string;
}

interface DatabaseFile {
  readonly version: 1;
  readonly files: Record<string, FileRecord>;
  readonly directories?: Record<string, DirectoryRecord>;
}

/** The database's name for one source and target: a hash, so the target's cap is not written in a file name. */
export function databaseId(source: string, targetKey: string): string {
  return createHash('sha256').update(`${source}\0${targetKey}`).digest('hex').slice(0, 32);
}

export class BackupDatabase {
  /** what this run has seen so far (the next JSON file) */
  readonly #seen = new Map<string, FileRecord>();
  readonly #seenDirectories = new Map<string, DirectoryRecord>();

  private constructor(
    private readonly jsonPath: string,
    private readonly journalPath: string,
    private readonly known: Map<string, FileRecord>,
    private readonly knownDirectories: Map<string, DirectoryRecord>,
  ) {}

  static async open(dir: string, id: string): Promise<BackupDatabase> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const jsonPath = join(dir, `${id}.json`);
    const journalPath = join(dir, `${id}.journal`);
    const known = new Map<string, FileRecord>();
    const knownDirectories = new Map<string, DirectoryRecord>();
    const text = await readFile(jsonPath, 'utf8').catch(missingAsEmpty);
    if (text !== '') {
      const parsed = JSON.parse(text) as DatabaseFile;
      for (const [path, record] of Object.entries(parsed.files)) known.set(path, record);
      for (const [path, record] of Object.entries(parsed.directories ?? {})) knownDirectories.set(path, record);
    }
    const journal = await readFile(journalPath, 'utf8').catch(missingAsEmpty);
    for (const line of journal.split('\n')) {
      const entry = parseJournalLine(line);
      if (entry !== undefined) known.set(entry.path, entry.record);
    }
    return new BackupDatabase(jsonPath, journalPath, known, knownDirectories);
  }

  /** The cap of `path` if it was backed up and still has the same size, mtime and inode. */
  unchanged(path: string, now: Omit<FileRecord, 'cap'>): string | undefined {
    const record = this.known.get(path);
    if (record === undefined || record.size !== now.size || record.mtimeMs !== now.mtimeMs || record.ino !== now.ino) return undefined;
    this.#seen.set(path, record);
    return record.cap;
  }

  /** Records a file whose upload just finished (in the journal at once). */
  async uploaded(path: string, record: FileRecord): Promise<void> {
    this.#seen.set(path, record);
    this.known.set(path, record);
    await appendFile(this.journalPath, `${JSON.stringify({ path, ...record })}\n`, { mode: 0o600 });
  }

  /**
   * The cap of the snapshot folder at `path` if the last complete run built one with the same
   * entries (an immutable folder is the same whatever run made it), so it is not uploaded again.
   */
  directory(path: string, entries: string): string | undefined {
    const record = this.knownDirectories.get(path);
    if (record === undefined || record.entries !== entries) return undefined;
    this.#seenDirectories.set(path, record);
    return record.cap;
  }

  /** Records a snapshot folder just built (kept only when the run completes). */
  builtDirectory(path: string, record: DirectoryRecord): void {
    this.#seenDirectories.set(path, record);
  }

  /** Writes what this run saw as the new state and empties the journal (files gone from the source are forgotten). */
  async commit(): Promise<void> {
    const contents: DatabaseFile = { version: 1, files: Object.fromEntries(this.#seen), directories: Object.fromEntries(this.#seenDirectories) };
    const temporary = `${this.jsonPath}.${randomBytes(6).toString('hex')}.partial`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(contents));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.jsonPath);
    await rm(this.journalPath, { force: true });
  }
}

function missingAsEmpty(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return '';
  throw error;
}

function parseJournalLine(line: string): { path: string; record: FileRecord } | undefined {
  if (line.trim() === '') return undefined;
  try {
    const { path, size, mtimeMs, ino, cap } = JSON.parse(line) as { path: string } & FileRecord;
    if (typeof path !== 'string' || typeof cap !== 'string') return undefined;
    return { path, record: { size, mtimeMs, ino, cap } };
  } catch {
    return undefined; // torn by a kill mid-write
  }
}
