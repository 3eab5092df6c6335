import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Cap, ChkReadCap, LiteralCap } from '../../src-shared/caps/index.js';
import type { UploadLocalFileRequest, UploadProgress } from '../../src-shared/ipc/index.js';
import { gridRootCap } from '../node/grid-root.js';
import type { NodeService } from '../node/node-service.js';

/** `cap` if it is a file whose bytes can be saved; else an Error naming `what`. */
export function savableFile(cap: Cap, what: string): ChkReadCap | LiteralCap {
  if (cap.kind !== 'chk' && cap.kind !== 'lit') throw new Error(`"${what}" is a folder or a mutable file; only files can be saved`);
  return cap;
}

/** What a cancelled upload rejects with (the web shell's cancelled upload says the same). */
export const UPLOAD_CANCELLED = 'cancelled';

/**
 * The desktop app's uploads (a dropped file, read from its path on this computer) and
 * downloads (to where the save dialog said), on the grid's shared root. One lives as long as
 * the app: it knows the uploads in flight by the id the renderer gave each, to cancel them.
 */
export class DesktopTransfers {
  readonly #uploads = new Map<string, AbortController>();

  /** `service` is asked for the running node at each request (there is none before setup). */
  constructor(private readonly running: () => NodeService) {}

  private get service(): NodeService {
    return this.running();
  }

  /**
   * Uploads the local file to `directoryPath/name` (replacing an entry of that name). Until
   * it is linked, `cancel(uploadId)` stops it: its partial shares are aborted, nothing is
   * linked, the last progress is "cancelled" and it rejects with "cancelled".
   */
  async upload(request: UploadLocalFileRequest, onProgress: (progress: UploadProgress) => void): Promise<void> {
    if (this.#uploads.has(request.uploadId)) throw new Error(`an upload with the id "${request.uploadId}" is running already`);
    const cancel = new AbortController();
    this.#uploads.set(request.uploadId, cancel);
    try {
      await this.#upload(request, onProgress, cancel.signal);
    } finally {
      this.#uploads.delete(request.uploadId);
    }
  }

  /** Stops the upload `uploadId`; true if it was running (a finished or unknown one is left as it is). */
  cancel(uploadId: string): boolean {
    const upload = this.#uploads.get(uploadId);
    if (upload === undefined) return false;
    upload.abort(new Error(UPLOAD_CANCELLED));
    return true;
  }

  async #upload(request: UploadLocalFileRequest, onProgress: (progress: UploadProgress) => void, signal: AbortSignal): Promise<void> {
    const info = await stat(request.localPath).catch(() => undefined);
    if (info === undefined || !info.isFile()) throw new Error(`"${request.name}" is not a file on this computer (a folder, or gone)`);
    const size = info.size;
    const path = request.directoryPath === '' ? request.name : `${request.directoryPath}/${request.name}`;
    onProgress({ state: 'sending', bytesDone: 0, bytesTotal: size });
    // The node's upload operation reports the bytes sent. It is the first upload of this size
    // that starts after this request (two same-size uploads at once may swap their bars).
    const startedAt = Date.now();
    let operationId: number | undefined;
    let bytesDone = 0;
    const unsubscribe = this.service.subscribe((event) => {
      if (event.type !== 'operation') return;
      const operation = event.operation;
      if (operation.kind !== 'upload' || operation.bytesTotal !== size || operation.startedAt < startedAt || operation.state !== 'running') return;
      operationId ??= operation.id;
      if (operation.id !== operationId || operation.bytesDone <= bytesDone) return;
      bytesDone = operation.bytesDone;
      onProgress({ state: 'sending', bytesDone, bytesTotal: size });
    });
    try {
      await this.service.uploadAndLink(gridRootCap(this.service.node.gridLink), path, { path: request.localPath, size }, { overwrite: true, metadata: { mtime: info.mtimeMs / 1000 } }, signal);
    } catch (error) {
      if (signal.aborted) {
        onProgress({ state: 'cancelled', bytesDone, bytesTotal: size });
        throw signal.reason;
      }
      onProgress({ state: 'failed', bytesDone, bytesTotal: size, error: (error as Error).message.split('\n')[0]! });
      throw error;
    } finally {
      unsubscribe();
    }
    onProgress({ state: 'done', bytesDone: size, bytesTotal: size });
  }

  /** Downloads the file at `path` to `target`: written under a temporary name, renamed when complete. */
  async save(path: string, target: string): Promise<void> {
    const resolved = await this.service.resolvePath(gridRootCap(this.service.node.gridLink), path);
    await this.saveCap(resolved.cap, path, target);
  }

  /** Downloads the file `cap` (called `what` in errors) to `target`, as save() does. */
  async saveCap(cap: Cap, what: string, target: string): Promise<void> {
    const file = savableFile(cap, what);
    const partial = `${target}.cairn-part`;
    try {
      await pipeline(Readable.from(this.service.download(file)), createWriteStream(partial, { mode: 0o644 }));
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }
}
