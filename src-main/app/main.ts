// The desktop app's Electron main process: it hosts the grid node (AppNode: first-run setup
// or the node in the app's data folder), the window, the tray, notifications and the IPC
// that the preload's CairnApi calls. Run: npm run build && npx electron .
import './heap-flags-first.js'; // first: before the node's modules load
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, Notification, app, clipboard, dialog, ipcMain } from 'electron';
import { EVENT_CHANNEL, IPC_CHANNEL_PREFIX, IPC_METHODS, UPLOAD_PROGRESS_CHANNEL, trayState, type CairnEvent, type TrayState } from '../../src-shared/ipc/index.js';
import { AppNode } from '../node/app-node.js';
import { appMenuTemplate } from './app-menu-model.js';
import { AppTray } from './app-tray.js';
import { createAppWindow, lockDownContent, registerAppScheme } from './app-window.js';
import { DesktopRequests } from './desktop-requests.js';
import { loadDesktopSettings, saveDesktopSettings, type DesktopSettings } from './desktop-settings.js';
import { NotificationRules } from './notification-rules.js';
import { OPEN_LINK_SCHEME, isOpenLink, openLinkInArgv, protocolClientArguments } from './open-link-argv.js';
import { APP_ORIGIN } from './renderer-files.js';
import { statusViewOf } from './status-view.js';
import type { TrayAction } from './tray-menu-model.js';

const root = (relative: string): string => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const RENDERER_DIR = root('dist/renderer');
const ASSETS_DIR = root('assets');
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const STATUS_INTERVAL_MS = 5_000;

app.setName('Cairn');
// CAIRN_APP_DATA_DIR: a data folder of one's own (tests, portable use); else the OS's
const dataDir = process.env.CAIRN_APP_DATA_DIR ?? app.getPath('userData');
registerAppScheme();

let window: BrowserWindow | undefined;
let tray: AppTray | undefined;
let appNode: AppNode | undefined;
let settings: DesktopSettings;
let quitting = false;
let unsubscribe: (() => void) | undefined;
let requests: DesktopRequests | undefined;
const rules = new NotificationRules();
/** a `cairn:` share link the OS asked us to open, until the renderer takes it (takeOpenLink) */
let pendingLink: string | undefined = openLinkInArgv(process.argv);

// macOS hands a cairn: link over as an event (also the one the app was launched with)
app.on('open-url', (event, url) => {
  event.preventDefault();
  if (isOpenLink(url)) openLink(url);
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Windows and Linux start a second instance with the link in its argv: this one opens it
  app.on('second-instance', (_event, argv) => {
    const link = openLinkInArgv(argv);
    if (link === undefined) showWindow();
    else openLink(link);
  });
  app.whenReady().then(start, (error: unknown) => fail(error));
}

/** Shows the window and tells the renderer to take the link (it also asks once at startup). */
function openLink(link: string): void {
  pendingLink = link;
  if (!app.isReady()) return;
  showWindow();
  send({ type: 'open-link' });
}

function showWindow(): void {
  if (window === undefined || window.isDestroyed()) {
    window = createAppWindow(PRELOAD, root('assets/icon.png'));
    // closing the window keeps the app (and its node) running in the tray
    window.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      window?.hide();
    });
    return;
  }
  window.show();
  window.focus();
}

function send(event: CairnEvent): void {
  if (window !== undefined && !window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
}

function notify(title: string, body: string): void {
  if (Notification.isSupported()) new Notification({ title, body }).show();
}

async function start(): Promise<void> {
  settings = await loadDesktopSettings(dataDir);
  lockDownContent(RENDERER_DIR);
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform)));
  tray = new AppTray(ASSETS_DIR, (action) => void onTrayAction(action));
  showTray(trayState(undefined, 'starting…'));
  let startError: unknown;
  appNode = await AppNode.open(dataDir, { onStateChange: (state) => onNodeState(state) }).catch((error: unknown) => {
    startError = error;
    return undefined;
  });
  requests = appNode && new DesktopRequests(appNode, {
    pickFolder: async () => {
      const options = { properties: ['openDirectory' as const] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
    chooseSaveTarget: async (name) => {
      const options = { defaultPath: name };
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return result.canceled ? undefined : result.filePath;
    },
    takeOpenLink: () => {
      const link = pendingLink;
      pendingLink = undefined;
      return link;
    },
    uploadProgress: (uploadId, progress) => {
      if (window !== undefined && !window.isDestroyed()) window.webContents.send(UPLOAD_PROGRESS_CHANNEL, { uploadId, progress });
    },
    settings: () => settings,
    updateSettings: updateSettings,
  });
  for (const method of IPC_METHODS) {
    ipcMain.handle(IPC_CHANNEL_PREFIX + method, async (event, ...args: unknown[]) => {
      // only the app's own page may ask
      if (!event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`)) return { ok: false, error: 'refused: not the Cairn window' };
      try {
        if (requests === undefined) throw new Error(`the node did not start: ${(startError as Error)?.message}`);
        return { ok: true, value: await requests.handle(method, args) };
      } catch (error) {
        return { ok: false, error: oneLine((error as Error).message) };
      }
    });
  }
  app.setLoginItemSettings({ openAtLogin: settings.launchAtLogin });
  const protocolArguments = protocolClientArguments(process.defaultApp === true, process.argv);
  app.setAsDefaultProtocolClient(OPEN_LINK_SCHEME, process.execPath, protocolArguments.map((path) => resolve(path)));
  showWindow();
  if (appNode?.state === 'running') onNodeState('running');
  if (startError !== undefined) showTray(trayState(undefined, `the node did not start: ${oneLine((startError as Error).message)}`));
  setInterval(() => void refreshStatus(), STATUS_INTERVAL_MS).unref();
  void refreshStatus();
}

function onNodeState(state: string): void {
  if (state === 'running') void requests?.applyBackupsPaused();
  if (state === 'running' && appNode?.service !== undefined && unsubscribe === undefined) {
    unsubscribe = appNode.service.subscribe((event) => {
      send(event);
      if (event.type === 'operation') {
        const notice = rules.operationEnded(event.operation);
        if (notice) notify(notice.title, notice.body);
      }
    });
  }
  send({ type: 'status' });
  void refreshStatus();
}

async function refreshStatus(): Promise<void> {
  const service = appNode?.service;
  if (service === undefined) {
    showTray(trayState(undefined, appNode?.state === 'needs-setup' ? 'create or join a grid to start' : 'the node is not running'));
    return;
  }
  try {
    const status = statusViewOf(await service.status(), service.node.gridLink.gridName);
    for (const notice of rules.peersSeen(status.peers.filter((p) => p.peerId !== status.peerId))) notify(notice.title, notice.body);
    showTray(trayState(status));
  } catch (error) {
    showTray(trayState(undefined, oneLine((error as Error).message)));
  }
}

function showTray(state: TrayState): void {
  // read by the Electron smoke test (e2e/electron-smoke.ts)
  (globalThis as { cairnTrayState?: TrayState }).cairnTrayState = state;
  tray?.update(state, { nodeRunning: appNode?.state === 'running', backupsPaused: settings.backupsPaused });
}

async function updateSettings(patch: Partial<DesktopSettings>): Promise<void> {
  settings = { ...settings, ...patch };
  await saveDesktopSettings(dataDir, settings);
  if (patch.launchAtLogin !== undefined) app.setLoginItemSettings({ openAtLogin: patch.launchAtLogin });
  if (patch.backupsPaused !== undefined) send({ type: 'backup', jobId: undefined });
  void refreshStatus();
}

async function onTrayAction(action: TrayAction): Promise<void> {
  try {
    switch (action) {
      case 'open':
        return showWindow();
      case 'pause-backups':
      case 'resume-backups':
        return await updateSettings({ backupsPaused: action === 'pause-backups' });
      case 'back-up-now': {
        send({ type: 'backup', jobId: undefined });
        if (requests === undefined) throw new Error('the node is not running');
        const count = await requests.backUpNow();
        send({ type: 'backup', jobId: undefined });
        notify('Backup finished', `${count} backup job${count === 1 ? '' : 's'} ran.`);
        return;
      }
      case 'copy-invite': {
        if (appNode === undefined) throw new Error('the node is not running');
        const invite = await appNode.invite();
        clipboard.writeText(invite.code);
        await dialog.showMessageBox({
          type: 'info',
          title: 'Invite a friend',
          message: 'The invite code is on the clipboard: send it to your friend.',
          detail: `Tell them this passphrase separately (not in the same message):\n\n${invite.passphrase}`,
        });
        return;
      }
      case 'quit':
        return app.quit();
    }
  } catch (error) {
    notify('Cairn', oneLine((error as Error).message));
  }
}

// Quit means quit: stop the node cleanly first (leases, shares in flight, the introducer).
app.on('before-quit', (event) => {
  if (quitting) return;
  quitting = true;
  event.preventDefault();
  unsubscribe?.();
  const stopping = appNode?.stop() ?? Promise.resolve();
  stopping
    .catch((error: unknown) => process.stderr.write(`cairn: stopping the node failed: ${(error as Error).message}\n`))
    .finally(() => {
      tray?.destroy();
      app.exit(0);
    });
});

// the tray keeps the app alive with no window
app.on('window-all-closed', () => undefined);
app.on('activate', () => showWindow());

function fail(error: unknown): void {
  dialog.showErrorBox('Cairn could not start', oneLine((error as Error).message));
  app.exit(1);
}

function oneLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 500);
}
