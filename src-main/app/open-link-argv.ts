// The `cairn:` links the OS hands the desktop app (the app is the scheme's handler): on
// Windows and Linux as a command-line argument, of the first launch or of a second one
// (Electron's "second-instance" passes its argv); on macOS as an "open-url" event.

import { MAX_SHARE_LINK_LENGTH } from '../../src-shared/ipc/index.js';

/** The scheme the app registers (`app.setAsDefaultProtocolClient`) and electron-builder.yml declares. */
export const OPEN_LINK_SCHEME = 'cairn';

/** Whether `text` is a `cairn:` link the renderer's opener should be given (it checks the rest). */
export function isOpenLink(text: string): boolean {
  return text.length <= MAX_SHARE_LINK_LENGTH && text.slice(0, OPEN_LINK_SCHEME.length + 1).toLowerCase() === `${OPEN_LINK_SCHEME}:`;
}

/**
 * The `cairn:` link among a process's arguments, if any: the last one (Chromium puts its
 * own switches first, and Windows appends the link). Switches are never links.
 */
export function openLinkInArgv(argv: readonly string[]): string | undefined {
  return argv.findLast((argument) => !argument.startsWith('-') && isOpenLink(argument));
}

/**
 * The arguments `app.setAsDefaultProtocolClient` needs: none for a packaged app; for
 * `electron .` (process.defaultApp) the app's path, so the OS starts Electron with this app.
 */
export function protocolClientArguments(defaultApp: boolean, argv: readonly string[]): string[] {
  return defaultApp && argv[1] !== undefined ? [argv[1]] : [];
}
