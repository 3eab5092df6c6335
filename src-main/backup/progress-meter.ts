// Counts a run's files and bytes and sends progress events (at most every PROGRESS_MS,
// plus the last), with an ETA from the rate of bytes actually moved so far.
import type { BackupEventListener, BackupProgress } from './backup-request.js';

const PROGRESS_MS = 200;
/** No ETA until this much has moved: the first figures say little. */
const ETA_AFTER_MS = 1_000;

export class ProgressMeter {
  filesDone = 0;
  bytesDone = 0;
  /** bytes read and sent (not reused): the rate the ETA uses */
  private bytesMoved = 0;
  /** files being moved now, in the order they started (several at once when runs go in parallel) */
  private readonly activeFiles = new Set<string>();
  private lastSent = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly filesTotal: number,
    private readonly bytesTotal: number,
    private readonly onEvent: BackupEventListener,
  ) {}

  /** A file that needs no transfer (reused, or a symlink). */
  skipOver(bytes: number): void {
    this.filesDone++;
    this.bytesDone += bytes;
    this.send(false);
  }

  startFile(path: string): void {
    this.activeFiles.add(path);
    this.send(false);
  }

  /** `delta` more bytes of the current file moved. */
  moved(delta: number): void {
    this.bytesDone += delta;
    this.bytesMoved += delta;
    this.send(false);
  }

  endFile(path: string): void {
    this.filesDone++;
    this.activeFiles.delete(path);
    this.send(false);
  }

  /** The file named in progress: the latest started of those still moving. */
  private get currentFile(): string | undefined {
    return [...this.activeFiles].at(-1);
  }

  /** The last event, sent whatever the time since the one before. */
  finish(): void {
    this.send(true);
  }

  private send(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastSent < PROGRESS_MS) return;
    this.lastSent = now;
    const elapsed = now - this.startedAt;
    const event: BackupProgress = {
      type: 'progress',
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      ...(this.currentFile === undefined ? {} : { currentFile: this.currentFile }),
    };
    const rate = this.bytesMoved / elapsed; // bytes per ms
    if (elapsed >= ETA_AFTER_MS && rate > 0) {
      (event as { etaSeconds?: number }).etaSeconds = Math.ceil((this.bytesTotal - this.bytesDone) / rate / 1000);
    }
    this.onEvent(event);
  }
}
