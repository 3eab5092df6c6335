// Printing a backup's or restore's progress: one line rewritten in place on a terminal,
// plain lines (at most one every few seconds) otherwise.
import type { BackupProgress } from '../../../backup/backup-request.js';
import { formatSize } from '../../../node/sizes.js';

const PLAIN_LINE_MS = 2_000;

function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds < 60) return ` · ETA ${seconds}s`;
  if (seconds < 3600) return ` · ETA ${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return ` · ETA ${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export function describeProgress(event: BackupProgress): string {
  const current = event.currentFile === undefined ? '' : ` · ${event.currentFile}`;
  return `files ${event.filesDone}/${event.filesTotal} · ${formatSize(event.bytesDone)}/${formatSize(event.bytesTotal)}${formatEta(event.etaSeconds)}${current}`;
}

export class ProgressLine {
  private shown = false;
  private lastPlain = 0;
  private readonly tty = process.stderr.isTTY === true;

  show(event: BackupProgress): void {
    const line = describeProgress(event);
    if (this.tty) {
      const width = process.stderr.columns ?? 80;
      process.stderr.write(`\r\x1b[K${line.length >= width ? `${line.slice(0, width - 2)}…` : line}`);
      this.shown = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain < PLAIN_LINE_MS && event.filesDone < event.filesTotal) return;
    this.lastPlain = now;
    process.stderr.write(`${line}\n`);
  }

  /** Ends the in-place line before anything else is printed. */
  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
