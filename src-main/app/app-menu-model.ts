import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu with the standard shortcuts (roles give each platform its own:
 * Cmd on macOS, Ctrl elsewhere). Type-only use of Electron, so it is tested without it.
 */
export function appMenuTemplate(platform: NodeJS.Platform, appName = 'Cairn'): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const appMenu: MenuItemConstructorOptions[] = mac
    ? [{ label: appName, submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }] }]
    : [];
  return [
    ...appMenu,
    { label: 'File', submenu: [{ role: 'close' }, ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const])] },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { label: 'Window', submenu: [{ role: 'minimize' }, ...(mac ? [{ role: 'zoom' } as const, { role: 'front' } as const] : [])] },
  ];
}
