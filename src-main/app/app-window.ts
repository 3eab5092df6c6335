import { readFile } from 'node:fs/promises';
import { BrowserWindow, app, protocol, session, type WebContents } from 'electron';
import { secureWebPreferences } from './window-preferences.js';
import { APP_ORIGIN, APP_SCHEME, APP_START_URL, CONTENT_SECURITY_POLICY, rendererFileOf } from './renderer-files.js';

/** Must run before the app is ready: app:// is a standard, secure scheme (ES modules, fetch). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/**
 * The Electron security checklist, for every window: only app:// content with a strict CSP,
 * no navigation, no new windows, no webviews, no permissions, no requests to the network.
 */
export function lockDownContent(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = rendererFileOf(request.url, rendererDir);
    if (file === undefined) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file.path);
      return new Response(body, { headers: { 'content-type': file.contentType, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // no remote content: anything that is not the app's own scheme is cancelled
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !(details.url.startsWith(`${APP_ORIGIN}/`) || details.url.startsWith('devtools://')) });
  });
  app.on('web-contents-created', (_event, contents) => denyNavigation(contents));
}

function denyNavigation(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function createAppWindow(preloadPath: string, iconPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Cairn',
    icon: iconPath,
    webPreferences: secureWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_START_URL);
  return window;
}
