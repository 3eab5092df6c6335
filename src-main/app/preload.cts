// The desktop app's preload: it runs sandboxed (only require('electron') is available) and
// gives the page exactly one thing, window.cairn: the typed CairnApi of src-shared/ipc,
// made of ipcRenderer.invoke("cairn:" + method) calls. Main validates every argument.
// It is a script, not a module: a sandboxed preload cannot import, so the channel names
// below repeat src-shared/ipc/ipc-requests.ts (test/electron-preload.test.ts checks them).
{
  type CairnApi = import('../../src-shared/ipc/index.js').CairnApi;
  type UploadProgress = import('../../src-shared/ipc/index.js').UploadProgress;
  type CairnEvent = import('../../src-shared/ipc/index.js').CairnEvent;
  type IpcReply = { ok: true; value: unknown } | { ok: false; error: string };

  const IPC_CHANNEL_PREFIX = 'cairn:';
  const EVENT_CHANNEL = 'cairn:event';
  const UPLOAD_PROGRESS_CHANNEL = 'cairn:upload-progress';

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { contextBridge, ipcRenderer, webUtils } = require('electron') as typeof import('electron');

  /** Main answers { ok, value } or { ok: false, error }: the error stays the one line main wrote. */
  const invoke = async (method: string, ...args: unknown[]): Promise<never> => {
    const reply = (await ipcRenderer.invoke(IPC_CHANNEL_PREFIX + method, ...args)) as IpcReply;
    if (!reply.ok) throw new Error(reply.error);
    return reply.value as never;
  };

  let uploads = 0;

  const api: CairnApi = {
    status: () => invoke('status'),
    onEvent(listener) {
      const forward = (_event: unknown, message: CairnEvent) => listener(message);
      ipcRenderer.on(EVENT_CHANNEL, forward);
      return () => {
        ipcRenderer.removeListener(EVENT_CHANNEL, forward);
      };
    },
    listDirectory: (path) => invoke('listDirectory', path),
    makeDirectory: (path) => invoke('makeDirectory', path),
    rename: (path, newName) => invoke('rename', path, newName),
    remove: (path) => invoke('remove', path),
    upload(directoryPath, file, onProgress) {
      const uploadId = `u${Date.now().toString(36)}${(uploads++).toString(36)}`;
      const progress = (_event: unknown, message: { uploadId: string; progress: UploadProgress }) => {
        if (message.uploadId === uploadId) onProgress(message.progress);
      };
      ipcRenderer.on(UPLOAD_PROGRESS_CHANNEL, progress);
      const done = (async () => {
        try {
          // a dropped File's path on this computer; main reads the file itself
          const localPath = webUtils.getPathForFile(file as File);
          if (localPath === '') throw new Error(`"${file.name}" is not a file on this computer`);
          await invoke('uploadLocalFile', { uploadId, directoryPath, name: file.name, localPath });
        } finally {
          ipcRenderer.removeListener(UPLOAD_PROGRESS_CHANNEL, progress);
        }
      })();
      return { done, cancel: () => void invoke('cancelUpload', uploadId).catch(() => undefined) };
    },
    download: (path) => invoke('saveFile', path),
    readOnlyCap: (path) => invoke('readOnlyCap', path),
    shareLink: (path) => invoke('shareLink', path),
    openShared: (readCap, path) => invoke('openShared', readCap, path),
    downloadShared: (readCap, path, name) => invoke('saveSharedFile', readCap, path, name),
    linkShared: (readCap, directoryPath, name) => invoke('linkShared', readCap, directoryPath, name),
    takeOpenLink: () => invoke('takeOpenLink'),
    backupJobs: () => invoke('backupJobs'),
    addBackupJob: (job) => invoke('addBackupJob', job),
    removeBackupJob: (jobId) => invoke('removeBackupJob', jobId),
    runBackupJob: (jobId) => invoke('runBackupJob', jobId),
    setBackupsPaused: (paused) => invoke('setBackupsPaused', paused),
    snapshots: (jobId) => invoke('snapshots', jobId),
    restore: (request) => invoke('restore', request),
    pickFolder: () => invoke('pickFolder'),
    setup: () => invoke('setup'),
    createGrid: (request) => invoke('createGrid', request),
    createInvite: () => invoke('createInvite'),
    joinGrid: (request) => invoke('joinGrid', request),
    settings: () => invoke('settings'),
    updateSettings: (patch) => invoke('updateSettings', patch),
    debugLog: () => invoke('debugLog'),
  };

  contextBridge.exposeInMainWorld('cairn', api);
  contextBridge.exposeInMainWorld('cairnShell', 'desktop');
}
