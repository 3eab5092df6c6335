import { validateRequest, type IpcMethod, type IpcRequests, type UploadProgress } from '../../src-shared/ipc/index.js';
import type { AppNode } from '../node/app-node.js';
import type { DesktopSettings } from './desktop-settings.js';
import { DesktopBackups } from './desktop-backups.js';
import { DesktopSharedCaps } from './desktop-shared-caps.js';
import { DesktopTransfers, savableFile } from './desktop-transfers.js';
import { DesktopVdrive } from './desktop-vdrive.js';
import { statusViewOf } from './status-view.js';

/** What only the Electron shell can do (dialogs, login items); main passes them in. */
export interface DesktopShell {
  pickFolder(): Promise<string | undefined>;
  /** a save dialog: where to save a file named `name`, or undefined when cancelled */
  chooseSaveTarget(name: string): Promise<string | undefined>;
  /** the `cairn:` link the OS asked the app to open, once (then undefined) */
  takeOpenLink(): string | undefined;
  /** sends an upload's progress to the renderer */
  uploadProgress(uploadId: string, progress: UploadProgress): void;
  settings(): DesktopSettings;
  updateSettings(patch: Partial<DesktopSettings>): Promise<void>;
}

type Handler<M extends IpcMethod> = (...args: IpcRequests[M]) => Promise<unknown>;
type Handlers = { [M in IpcMethod]?: Handler<M> };

/**
 * Answers the renderer's IPC requests in Electron main. Every request's arguments go
 * through the contract's validators first (src-shared/ipc), so a bad input is a one-line
 * error that changes nothing. No Electron import: main wires it to ipcMain.handle, and
 * the tests call it directly against a real node.
 */
export class DesktopRequests {
  private readonly handlers: Handlers;
  private readonly transfers = new DesktopTransfers(() => this.running());

  constructor(
    private readonly app: AppNode,
    private readonly shell: DesktopShell,
  ) {
    this.handlers = {
      setup: async () => ({ needsSetup: this.app.state === 'needs-setup' }),
      createGrid: async (request) => this.app.createGrid({ nickname: request.nickname, gridName: request.gridName, ...(request.encoding === undefined ? {} : { encoding: request.encoding }) }),
      joinGrid: async (request) => this.app.joinGrid(request),
      createInvite: async () => this.app.invite(),
      status: async () => {
        const service = this.running();
        return statusViewOf(await service.status(), service.node.gridLink.gridName);
      },
      listDirectory: async (path) => this.vdrive().list(path),
      makeDirectory: async (path) => this.vdrive().makeDirectory(path),
      rename: async (path, newName) => this.vdrive().rename(path, newName),
      remove: async (path) => this.vdrive().remove(path),
      readOnlyCap: async (path) => this.vdrive().readOnlyCap(path),
      shareLink: async (path) => this.sharedCaps().shareLink(path),
      openShared: async (readCap, path) => this.sharedCaps().open(readCap, path),
      saveSharedFile: async (readCap, path, name) => {
        const cap = savableFile(await this.sharedCaps().resolve(readCap, path), name);
        const target = await this.shell.chooseSaveTarget(name);
        if (target !== undefined) await this.transfers.saveCap(cap, name, target);
      },
      linkShared: async (readCap, directoryPath, name) => this.sharedCaps().link(readCap, directoryPath, name),
      takeOpenLink: async () => this.shell.takeOpenLink(),
      uploadLocalFile: async (request) => this.transfers.upload(request, (progress) => this.shell.uploadProgress(request.uploadId, progress)),
      cancelUpload: async (uploadId) => {
        this.transfers.cancel(uploadId);
      },
      saveFile: async (path) => {
        this.running(); // no node yet: say so before any dialog opens
        const target = await this.shell.chooseSaveTarget(path.slice(path.lastIndexOf('/') + 1));
        if (target !== undefined) await this.transfers.save(path, target);
      },
      backupJobs: async () => new DesktopBackups(this.running()).jobs(),
      addBackupJob: async (job) => new DesktopBackups(this.running()).add(job),
      removeBackupJob: async (jobId) => new DesktopBackups(this.running()).remove(jobId),
      runBackupJob: async (jobId) => new DesktopBackups(this.running()).run(jobId),
      snapshots: async (jobId) => new DesktopBackups(this.running()).snapshots(jobId),
      restore: async (request) => new DesktopBackups(this.running()).restore(request),
      setBackupsPaused: async (paused) => {
        await this.shell.updateSettings({ backupsPaused: paused });
        await this.applyBackupsPaused();
      },
      pickFolder: async () => this.shell.pickFolder(),
      settings: async () => this.settingsView(),
      updateSettings: async (patch) => {
        // the node's own settings go through the same code as PATCH /settings
        await this.running().settings.update(patch);
        if (patch.launchAtLogin !== undefined) await this.shell.updateSettings({ launchAtLogin: patch.launchAtLogin });
        return this.settingsView();
      },
      debugLog: async () => this.running().debugLog(),
    };
  }

  /** Validates and answers one request; rejects with a one-line Error. */
  async handle(method: string, args: readonly unknown[]): Promise<unknown> {
    const valid = validateRequest(method, args) as unknown[];
    const handler = this.handlers[method as IpcMethod] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (handler === undefined) throw new Error(`${method} is not available in the desktop app yet; use the web UI (cairn run DIR --ui)`);
    return handler(...valid);
  }

  /** Pauses or resumes the node's backup scheduler as the app's setting says (also when the node starts). */
  async applyBackupsPaused(): Promise<void> {
    const jobs = this.app.service?.backupJobs;
    if (jobs === undefined) return;
    if (this.shell.settings().backupsPaused) await jobs.pause();
    else await jobs.resume();
  }

  /** The tray's "Back up now": runs every backup job, one after another; returns how many ran. */
  async backUpNow(): Promise<number> {
    const jobs = this.running().backupJobs;
    const list = await jobs.list();
    if (list.length === 0) throw new Error('there are no backup jobs yet: add a folder in Backups');
    for (const job of list) await jobs.run(job.id);
    return list.length;
  }

  private running() {
    const service = this.app.service;
    if (service === undefined) throw new Error(this.app.state === 'needs-setup' ? 'create or join a grid first' : 'the node is not running');
    return service;
  }

  private vdrive(): DesktopVdrive {
    return new DesktopVdrive(this.running());
  }

  private sharedCaps(): DesktopSharedCaps {
    return new DesktopSharedCaps(this.running());
  }

  private settingsView() {
    return { ...this.running().settings.view(), launchAtLogin: this.shell.settings().launchAtLogin };
  }
}
